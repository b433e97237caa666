import { HttpStatus } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import type { FastifyInstance } from 'fastify';
import { Readable } from 'node:stream';
import { createGunzip, createInflate, type Gunzip, type Inflate } from 'node:zlib';
import { AppError } from './app-error';
import { CommonErrorCode } from './error-codes';
import { bodyLimitFor } from './limits';

export type Coding = 'gzip' | 'deflate';

// `x-gzip` is gzip's old name, which RFC 9110 asks recipients to take as gzip.
const CODINGS: Record<string, Coding> = { gzip: 'gzip', 'x-gzip': 'gzip', deflate: 'deflate' };
const DECODERS: Record<Coding, () => Gunzip | Inflate> = { gzip: createGunzip, deflate: createInflate };

/**
 * Decodes `Content-Encoding: gzip` and `deflate` request bodies, on every route: Segment's
 * and RudderStack's server SDKs gzip their batches. The route's body limit holds for the
 * decoded body, so a small compressed body cannot make the API inflate a large one.
 */
export function acceptCompressedBodies(fastify: FastifyInstance): void {
  fastify.addHook('preParsing', async (request, _reply, payload) => {
    const { headers } = request;
    const hasBody = headers['transfer-encoding'] !== undefined || Number(headers['content-length'] ?? 0) > 0;
    const coding = hasBody ? contentCodingOf(headers['content-encoding']) : undefined;
    const limit = bodyLimitFor(headers['content-type'], request.routeOptions.bodyLimit);
    return coding ? new DecodedBody(payload, coding, limit) : payload;
  });
}

/**
 * The coding a `Content-Encoding` header asks for; undefined for none (`identity`). Anything
 * else is refused with 415, naming what is accepted.
 */
export function contentCodingOf(header: string | undefined): Coding | undefined {
  const codings = (header ?? '')
    .split(',')
    .map((coding) => coding.trim().toLowerCase())
    .filter((coding) => coding !== '' && coding !== 'identity');
  if (codings.length === 0) return undefined;
  const coding = codings.length === 1 ? CODINGS[codings[0]] : undefined;
  if (!coding)
    throw new AppError(
      CommonErrorCode.UnsupportedContentEncoding,
      HttpStatus.UNSUPPORTED_MEDIA_TYPE,
      `Content-Encoding: ${JSON.stringify(header!.slice(0, 64))} is not accepted; send gzip or deflate, ` +
        'or identity (or no Content-Encoding) for an uncompressed body',
    );
  return coding;
}

/**
 * A request body decoded as its reader reads it, never ahead: once more than `limit` bytes
 * come out (or go in), it fails with 413 and stops inflating, leaving the rest of the request
 * unread. `receivedEncodedLength` is what Fastify matches against Content-Length.
 */
export class DecodedBody extends Readable {
  receivedEncodedLength = 0;
  private decodedLength = 0;
  private readonly decoder: Gunzip | Inflate;
  private started = false;

  constructor(
    private readonly raw: Readable,
    private readonly coding: Coding,
    private readonly limit: number,
  ) {
    super();
    this.decoder = DECODERS[coding]();
  }

  override _read(): void {
    if (this.started) {
      this.decoder.resume();
      return;
    }
    // Started on the first read, not before: a request Fastify refuses unread (its
    // Content-Length over the limit, a content type it cannot parse) is never inflated.
    this.started = true;
    this.decoder
      .on('data', this.onDecoded)
      .on('end', () => this.push(null))
      .on('error', (error) => this.destroy(malformed(this.coding, error)));
    this.raw.on('data', this.onEncoded).on('error', (error) => this.destroy(error));
    this.raw.pipe(this.decoder);
  }

  private readonly onEncoded = (chunk: Buffer): void => {
    this.receivedEncodedLength += chunk.length;
    if (this.receivedEncodedLength > this.limit) this.destroy(tooLarge(this.limit, ''));
  };

  private readonly onDecoded = (chunk: Buffer): void => {
    this.decodedLength += chunk.length;
    if (this.decodedLength > this.limit) this.destroy(tooLarge(this.limit, ' once decompressed'));
    else if (!this.push(chunk)) this.decoder.pause();
  };

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.raw.unpipe(this.decoder);
    this.raw.off('data', this.onEncoded);
    this.decoder.destroy();
    // What is left of the request is read and dropped, as Fastify does past its limit, so the
    // answer reaches the client and the connection can carry the next request.
    this.raw.resume();
    callback(error);
  }
}

// With a statusCode of its own: Fastify gives a body stream's error without one a 400.
const streamError = (error: AppError) => Object.assign(error, { statusCode: error.status });

function tooLarge(limit: number, when: string): AppError {
  return streamError(
    new AppError(
      CommonErrorCode.PayloadTooLarge,
      HttpStatus.PAYLOAD_TOO_LARGE,
      `body: larger than the ${Math.round(limit / 1024)} KB (${limit} bytes) limit per request${when}`,
    ),
  );
}

function malformed(coding: Coding, error: Error): AppError {
  return streamError(
    new AppError(
      CommonErrorCode.MalformedBody,
      HttpStatus.BAD_REQUEST,
      `body: is not valid ${coding} data, as its Content-Encoding says (${error.message})`,
    ),
  );
}

/**
 * Marks a route that reads an `application/x-www-form-urlencoded` body as JSON: RudderStack's
 * Node SDK sends its gzipped JSON batches under that label (axios's default for a buffer),
 * and RudderStack's own server ignores it. Other routes read forms as forms (Twilio's webhook).
 */
export const FormBodyIsJson = () => RouteConfig({ formBodyIsJson: true });

export function readFormBodiesAsJson(fastify: FastifyInstance): void {
  fastify.addHook('preParsing', async (request, _reply, payload) => {
    const config = request.routeOptions.config as { formBodyIsJson?: boolean } | undefined;
    const contentType = request.headers['content-type'] ?? '';
    // Fastify picks the body parser from this header once the preParsing hooks have run.
    if (config?.formBodyIsJson && /^application\/x-www-form-urlencoded\s*(;|$)/i.test(contentType))
      request.raw.headers['content-type'] = 'application/json';
    return payload;
  });
}
