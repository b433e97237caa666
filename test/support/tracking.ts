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

/**
 * A thin HTTP client for one running API: `post` sends events with the dev write key,
 * `get`, `put` and `admin` (any method) use the dev secret key. JSON goes as is; a string
 * body is sent raw, to test malformed input.
 */
export function trackingClient(url: string) {
  const send = async <T>(method: string, path: string, init: { body?: unknown; headers?: Record<string, string> }) => {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: { ...(init.body !== undefined && { 'content-type': 'application/json' }), ...init.headers },
      ...(init.body !== undefined && { body: typeof init.body === 'string' ? init.body : JSON.stringify(init.body) }),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: (text ? JSON.parse(text) : null) as T };
  };
  const asAdmin = (headers: Record<string, string>) => ({ authorization: bearer(DEV_SECRET_KEY), ...headers });
  return {
    post: <T = Record<string, unknown>>(path: string, body: unknown, headers: Record<string, string> = {}) =>
      send<T>('POST', path, { body, headers: { authorization: basic(DEV_WRITE_KEY), ...headers } }) as Promise<
        Reply<T>
      >,
    get: <T = Record<string, unknown>>(path: string, headers: Record<string, string> = {}) =>
      send<T>('GET', path, { headers: asAdmin(headers) }) as Promise<Reply<T>>,
    admin: <T = Record<string, unknown>>(method: 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown) =>
      send<T>(method, path, { body, headers: asAdmin({}) }) as Promise<Reply<T>>,
  };
}

/** The raw database of a running API, for asserting on what was stored. */
export const databaseOf = (app: NestFastifyApplication) => app.get<Connection>(getConnectionToken()).db!;

/**
 * Starts the real API before this file's tests and, after them, drops the file's database
 * and closes it. Read `api` and `client` inside tests, once beforeAll has run.
 */
export function useApi(): {
  api: { app: NestFastifyApplication; url: string };
  client: ReturnType<typeof trackingClient>;
} {
  const running = {} as ReturnType<typeof useApi>;
  beforeAll(async () => {
    // Imported here, not at the top: specs importing this module may set the environment
    // first, and the app reads it when its modules load.
    const { startApi } = await import('./nudge');
    running.api = await startApi();
    running.client = trackingClient(running.api.url);
  });
  afterAll(async () => {
    await databaseOf(running.api.app).dropDatabase();
    await running.api.app.close();
  });
  return running;
}
