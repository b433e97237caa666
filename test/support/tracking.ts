import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { getConnectionToken } from '@nestjs/mongoose';
import { Connection } from 'mongoose';

/** The development workspace's keys, as the API seeds them (defaults of the config schema). */
export const DEV_WRITE_KEY = 'wk_dev_0123456789abcdef';
export const DEV_SECRET_KEY = 'sk_dev_0123456789abcdef';

export const basic = (writeKey: string) => `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`;
export const bearer = (secretKey: string) => `Bearer ${secretKey}`;

export interface Reply<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: T;
}

/** A thin HTTP client for one running API, with the dev workspace's keys by default. */
export function trackingClient(url: string) {
  const send = async <T>(method: string, path: string, init: { body?: unknown; headers?: Record<string, string> }) => {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...init.headers },
      ...(init.body !== undefined && { body: typeof init.body === 'string' ? init.body : JSON.stringify(init.body) }),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: (text ? JSON.parse(text) : null) as T };
  };
  return {
    post: <T = Record<string, unknown>>(path: string, body: unknown, headers: Record<string, string> = {}) =>
      send<T>('POST', path, { body, headers: { authorization: basic(DEV_WRITE_KEY), ...headers } }) as Promise<
        Reply<T>
      >,
    get: <T = Record<string, unknown>>(path: string, headers: Record<string, string> = {}) =>
      send<T>('GET', path, { headers: { authorization: bearer(DEV_SECRET_KEY), ...headers } }) as Promise<Reply<T>>,
  };
}

/** The raw database of a running API, for asserting on what was stored. */
export const databaseOf = (app: NestFastifyApplication) => app.get<Connection>(getConnectionToken()).db!;
