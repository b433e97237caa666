import Analytics from '@rudderstack/rudder-sdk-node';
import { randomBytes, randomUUID } from 'node:crypto';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { IncomingMessage } from 'node:http';
import { deflateSync, gzipSync } from 'node:zlib';
import { basic, databaseOf, DEV_WRITE_KEY, useApi } from '../support/tracking';

describe('compressed request bodies (Content-Encoding) → MongoDB', () => {
  const nudge = useApi();
  const stored = (messageId: string) => databaseOf(nudge.api.app).collection('events').findOne({ messageId });
  const send = async (path: string, body: Buffer | string | ReadableStream, headers: Record<string, string>) => {
    const response = await fetch(`${nudge.api.url}${path}`, {
      method: 'POST',
      headers: { authorization: basic(DEV_WRITE_KEY), 'content-type': 'application/json', ...headers },
      body,
      ...(body instanceof ReadableStream && { duplex: 'half' }),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const trackCall = () => ({
    userId: `user-${randomUUID()}`,
    messageId: randomUUID(),
    event: 'form_start',
    properties: { formId: 'quote' },
  });

  it("stores what RudderStack's Node SDK sends: a gzipped batch to /v1/batch", async () => {
    // What reaches the server, seen from inside Node's HTTP server (the SDK is not told to gzip:
    // it does so by default, and labels the body application/x-www-form-urlencoded).
    const seen: Array<{ url?: string; encoding?: string; type?: string }> = [];
    const onRequest = (message: unknown) => {
      const { request } = message as { request: IncomingMessage };
      seen.push({
        url: request.url,
        encoding: request.headers['content-encoding'],
        type: request.headers['content-type'],
      });
    };
    subscribe('http.server.request.start', onRequest);
    const userId = `rudder-${randomUUID()}`;
    const sut = new Analytics(DEV_WRITE_KEY, { dataPlaneUrl: nudge.api.url, logLevel: 'error', retryCount: 0 });

    try {
      sut.identify({ userId, traits: { email: `${userId}@example.com` } });
      sut.track({ userId, event: 'Product Viewed', properties: { productId: 'p-1', price: 12 } });
      sut.page({ userId, name: 'Pricing', properties: { path: '/pricing' } });
      await sut.flush();
    } finally {
      unsubscribe('http.server.request.start', onRequest);
    }

    // The SDK sends its first call at once and the others on flush: two requests.
    expect(seen).toEqual(
      Array(2).fill({ url: '/v1/batch', encoding: 'gzip', type: 'application/x-www-form-urlencoded' }),
    );
    const events = await nudge.client.get<{ events: Array<Record<string, unknown>> }>(`/v1/leads/${userId}/events`);
    expect(events.body.events.map((event) => event.type).sort()).toEqual(['identify', 'page', 'track']);
    expect(events.body.events.find((event) => event.type === 'track')).toMatchObject({
      eventType: 'product_viewed',
      properties: { productId: 'p-1', price: 12 },
      context: { library: { name: 'analytics-node' } },
    });
  });

  it('stores a deflate body', async () => {
    const call = trackCall();

    const reply = await send('/v1/track', deflateSync(JSON.stringify(call)), { 'content-encoding': 'deflate' });

    expect(reply).toMatchObject({ status: 200, body: { accepted: 1, rejected: [] } });
    expect(await stored(call.messageId)).toMatchObject({ userId: call.userId, eventType: 'form_start' });
  });

  it("stores a gzipped text/plain batch with the writeKey in the body (analytics.js's shape)", async () => {
    const call = trackCall();
    const body = gzipSync(JSON.stringify({ batch: [{ type: 'track', ...call }], writeKey: DEV_WRITE_KEY }));

    const reply = await send('/v1/b', body, {
      authorization: '',
      'content-type': 'text/plain',
      'content-encoding': 'gzip',
    });

    expect(reply).toMatchObject({ status: 200, body: { accepted: 1 } });
    expect(await stored(call.messageId)).toMatchObject({ userId: call.userId });
  });

  it('stores a gzipped product-spec event on /api/behavior/events, and takes identity as no encoding', async () => {
    const event = { leadId: `lead-${randomUUID()}`, eventType: 'form_abandon', properties: { formId: 'quote' } };
    const gzipped = { ...event, messageId: randomUUID() };
    const plain = { ...event, messageId: randomUUID() };

    const replies = [
      await send('/api/behavior/events', gzipSync(JSON.stringify(gzipped)), { 'content-encoding': 'gzip' }),
      await send('/api/behavior/events', JSON.stringify(plain), { 'content-encoding': 'identity' }),
    ];

    expect(replies.map((reply) => reply.status)).toEqual([200, 200]);
    expect(await stored(gzipped.messageId)).toMatchObject({ userId: event.leadId, eventType: 'form_abandon' });
    expect(await stored(plain.messageId)).toMatchObject({ userId: event.leadId });
  });

  describe('limits and errors', () => {
    // With a Content-Length, or streamed without one (chunked), as a client that never ends would.
    const framings: Array<[string, (body: Buffer) => Buffer | ReadableStream]> = [
      ['sent whole', (body) => body],
      ['streamed', (body) => new Blob([body]).stream()],
    ];

    it.each(framings)(
      'refuses a compression bomb %s with 413 once its decoded size passes 500 KB, and answers the next request',
      async (_framing, frame) => {
        const bomb = gzipSync(`{"batch":[],"padding":"${'0'.repeat(50 * 1024 * 1024)}"}`);
        expect(bomb.length).toBeLessThan(100 * 1024);

        const reply = await send('/v1/batch', frame(bomb), { 'content-encoding': 'gzip' });

        expect(reply).toEqual({
          status: 413,
          body: {
            statusCode: 413,
            error: 'PAYLOAD_TOO_LARGE',
            message: 'body: larger than the 500 KB (512000 bytes) limit per request once decompressed',
          },
        });
        const call = trackCall();
        const next = await send('/v1/track', gzipSync(JSON.stringify(call)), { 'content-encoding': 'gzip' });
        expect(next).toMatchObject({ status: 200 });
        expect(await stored(call.messageId)).not.toBeNull();
      },
    );

    it.each(framings)('limits the compressed body %s itself to 500 KB', async (_framing, frame) => {
      const reply = await send('/v1/batch', frame(gzipSync(randomBytes(600 * 1024))), { 'content-encoding': 'gzip' });

      expect(reply).toEqual({
        status: 413,
        body: {
          statusCode: 413,
          error: 'PAYLOAD_TOO_LARGE',
          message: 'body: larger than the 500 KB (512000 bytes) limit per request',
        },
      });
    });

    it('refuses an event over 32 KB once decompressed, though it is small compressed', async () => {
      const call = { ...trackCall(), properties: { notes: 'x'.repeat(40 * 1024) } };

      const reply = await send('/v1/track', gzipSync(JSON.stringify(call)), { 'content-encoding': 'gzip' });

      expect(reply).toMatchObject({ status: 413, body: { message: expect.stringMatching(/limit is 32 KB/) } });
    });

    it.each([
      ['not gzip at all', Buffer.from(JSON.stringify({ event: 'x', userId: 'u' }))],
      ['cut short', gzipSync(JSON.stringify({ event: 'x', userId: 'u' })).subarray(0, 16)],
    ])('refuses a gzip body that is %s with 400', async (_case, body) => {
      const reply = await send('/v1/track', body, { 'content-encoding': 'gzip' });

      expect(reply).toEqual({
        status: 400,
        body: {
          statusCode: 400,
          error: 'MALFORMED_BODY',
          message: expect.stringMatching(/^body: is not valid gzip data, as its Content-Encoding says/) as string,
        },
      });
    });

    it.each(['br', 'zstd', 'compress', 'sparkles'])(
      'refuses Content-Encoding: %s with 415 naming what is accepted',
      async (encoding) => {
        const reply = await send('/v1/track', JSON.stringify(trackCall()), { 'content-encoding': encoding });

        expect(reply).toEqual({
          status: 415,
          body: {
            statusCode: 415,
            error: 'UNSUPPORTED_CONTENT_ENCODING',
            message: `Content-Encoding: "${encoding}" is not accepted; send gzip or deflate, or identity (or no Content-Encoding) for an uncompressed body`,
          },
        });
      },
    );
  });

  it('reads a form-labelled body as JSON on tracking routes (Twilio keeps its form: unsubscribe.spec)', async () => {
    const call = trackCall();
    const form = { 'content-type': 'application/x-www-form-urlencoded' };

    expect(await send('/v1/track', JSON.stringify(call), form)).toMatchObject({ status: 200 });
    expect(await stored(call.messageId)).not.toBeNull();
    expect(await send('/v1/track', 'event=x&userId=u', form)).toMatchObject({
      status: 400,
      body: { message: expect.stringMatching(/^body: is not valid JSON/) },
    });
  });
});
