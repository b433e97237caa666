import { randomUUID } from 'node:crypto';
import { IngestionDispatcher, StoredBatch } from '../../src/events/ingestion-dispatcher';
import { basic, databaseOf, DEV_SECRET_KEY, DEV_WRITE_KEY, useApi } from '../support/tracking';

describe('tracking API (Segment HTTP spec) → MongoDB', () => {
  const nudge = useApi();
  const stored = (messageId: string) => databaseOf(nudge.api.app).collection('events').findOne({ messageId });
  const failed = (filter: Record<string, unknown>) =>
    databaseOf(nudge.api.app).collection('failed_events').findOne(filter);

  describe('every call type, on its full and one-letter path', () => {
    const calls: Array<[string, string, Record<string, unknown>, Record<string, unknown>]> = [
      [
        'track',
        't',
        { event: 'form_start', properties: { formId: 'quote' } },
        { eventType: 'form_start', category: 'intent' },
      ],
      ['identify', 'i', { traits: { email: 'ada@example.com' } }, { traits: { email: 'ada@example.com' } }],
      ['page', 'p', { name: 'Pricing', properties: { url: '/pricing' } }, { eventType: 'page_view', name: 'Pricing' }],
      ['screen', 's', { name: 'Home' }, { eventType: 'screen_view', category: 'engagement' }],
      ['group', 'g', { groupId: 'acme', traits: { plan: 'pro' } }, { groupId: 'acme' }],
      ['alias', 'a', { previousId: `old-${randomUUID()}` }, { type: 'alias' }],
    ];

    it.each(calls)('stores a %s call', async (type, short, fields, expected) => {
      for (const path of [type, short]) {
        const messageId = randomUUID();
        const reply = await nudge.client.post(`/v1/${path}`, { userId: `user-${randomUUID()}`, messageId, ...fields });

        expect(reply).toMatchObject({ status: 200, body: { success: true, accepted: 1, rejected: [] } });
        expect(await stored(messageId)).toMatchObject({ type, workspaceId: 'dev', ...expected });
      }
    });
  });

  it('accepts a real analytics.js batch: text/plain, writeKey in the body, sentAt, library, integrations', async () => {
    const anonymousId = randomUUID();
    const now = Date.now();
    const library = { name: 'analytics.js', version: 'next-1.81.1' };
    const event = (type: string, extra: Record<string, unknown>, offsetMs: number) => ({
      type,
      anonymousId,
      messageId: `ajs-next-${randomUUID()}`,
      timestamp: new Date(now + offsetMs).toISOString(),
      context: { library, page: { path: '/quote', url: 'https://insure.example/quote' }, userAgent: 'Mozilla/5.0' },
      integrations: { 'Segment.io': true },
      ...extra,
    });
    const batch = [
      event('page', { properties: { url: 'https://insure.example/quote', title: 'Get a quote' } }, -3000),
      event('track', { event: 'form_start', properties: { formId: 'quote', step: 1 } }, -2000),
      event('track', { event: 'form_abandon', properties: { formId: 'quote', formCompletion: 40 } }, -1000),
    ];

    const response = await fetch(`${nudge.api.url}/v1/b`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify({ batch, sentAt: new Date(now).toISOString(), writeKey: DEV_WRITE_KEY }),
    });

    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ accepted: 3, rejected: [] });
    const events = await nudge.client.get<{ events: Array<Record<string, unknown>> }>(
      `/v1/leads/${anonymousId}/events`,
    );
    expect(events.body.events.map((e) => e.eventType)).toEqual(['form_abandon', 'form_start', 'page_view']);
    expect(events.body.events[0]).toMatchObject({
      anonymousId,
      context: { library, ip: '127.0.0.1' },
      integrations: { 'Segment.io': true },
    });
    const lead = await nudge.client.get(`/v1/leads/${anonymousId}`);
    expect(lead.body).toMatchObject({
      identities: [{ type: 'anonymousId', value: anonymousId }],
      rollups: { eventCount: 3, countsByType: { page_view: 1, form_start: 1, form_abandon: 1 } },
    });
  });

  describe('normalization', () => {
    it('corrects the device clock: timestamp = receivedAt - (sentAt - originalTimestamp)', async () => {
      const messageId = randomUUID();
      // The device clock runs two hours behind; the event happened 10 s before it was sent.
      const deviceNow = Date.now() - 2 * 3600_000;
      await nudge.client.post('/v1/track', {
        anonymousId: randomUUID(),
        messageId,
        event: 'video_play',
        timestamp: new Date(deviceNow - 10_000).toISOString(),
        sentAt: new Date(deviceNow).toISOString(),
      });

      const event = await stored(messageId);
      expect(event!.timestamp.getTime()).toBe(event!.receivedAt.getTime() - 10_000);
      expect(event!.originalTimestamp.getTime()).toBe(deviceNow - 10_000);
    });

    it('resets a timestamp far in the future, with no sentAt to correct it, to receivedAt', async () => {
      const messageId = randomUUID();
      const nextYear = new Date(Date.now() + 365 * 86_400_000).toISOString();
      await nudge.client.post('/v1/track', {
        anonymousId: randomUUID(),
        messageId,
        event: 'download',
        properties: { fileName: 'a.pdf' },
        timestamp: nextYear,
      });

      const event = await stored(messageId);
      expect(event!.timestamp).toEqual(event!.receivedAt);
    });

    it('keeps a past timestamp sent without sentAt (historical import)', async () => {
      const messageId = randomUUID();
      await nudge.client.post('/v1/track', {
        anonymousId: randomUUID(),
        messageId,
        event: 'email_open',
        timestamp: '2025-06-01T08:00:00.000Z',
      });

      expect((await stored(messageId))!.timestamp).toEqual(new Date('2025-06-01T08:00:00.000Z'));
    });

    it('merges the batch context and integrations into each item, the item winning, and generates missing messageIds', async () => {
      const userId = `user-${randomUUID()}`;
      const reply = await nudge.client.post('/v1/batch', {
        context: { library: { name: 'analytics-node', version: '2' }, locale: 'en-US', ip: '203.0.113.9' },
        integrations: { All: false },
        batch: [
          { type: 'track', userId, event: 'search_query', properties: { query: 'auto' }, context: { locale: 'fr-FR' } },
        ],
      });

      expect(reply.body).toMatchObject({ accepted: 1 });
      const event = await databaseOf(nudge.api.app).collection('events').findOne({ userId });
      expect(event!.messageId).toMatch(/^[0-9a-f-]{36}$/);
      expect(event!.context).toEqual({
        library: { name: 'analytics-node', version: '2' },
        locale: 'fr-FR',
        ip: '203.0.113.9',
      });
      expect(event!.integrations).toEqual({ All: false });
    });

    it('takes value from revenue and keeps order_completed items', async () => {
      const messageId = randomUUID();
      await nudge.client.post('/v1/track', {
        userId: `user-${randomUUID()}`,
        messageId,
        event: 'Order Completed',
        properties: {
          orderId: 'o-1',
          revenue: 129.5,
          currency: 'USD',
          products: [{ productId: 'p1', price: 129.5, quantity: 1 }],
        },
      });

      expect(await stored(messageId)).toMatchObject({
        event: 'Order Completed',
        eventType: 'order_completed',
        category: 'transaction',
        value: 129.5,
      });
    });

    it('accepts custom events, outside the catalog, as category custom', async () => {
      const messageId = randomUUID();
      const reply = await nudge.client.post('/v1/track', {
        userId: 'u-custom',
        messageId,
        event: 'Plan Compared',
        properties: { plans: 3 },
      });

      expect(reply.status).toBe(200);
      expect(await stored(messageId)).toMatchObject({ eventType: 'Plan Compared', category: 'custom' });
    });
  });

  describe('deduplication on (source, messageId)', () => {
    it('stores a retried batch once and counts it once on the lead', async () => {
      const anonymousId = randomUUID();
      const batch = Array.from({ length: 5 }, (_, i) => ({
        type: 'track',
        anonymousId,
        messageId: `${anonymousId}-${i}`,
        event: 'scroll_depth',
        properties: { percent: 20 * i },
      }));

      const first = await nudge.client.post('/v1/batch', { batch });
      const retry = await nudge.client.post('/v1/batch', { batch });

      expect(first.body).toMatchObject({ accepted: 5, duplicates: 0 });
      expect(retry.body).toMatchObject({ accepted: 5, duplicates: 5, rejected: [] });
      expect(await databaseOf(nudge.api.app).collection('events').countDocuments({ anonymousId })).toBe(5);
      const lead = await nudge.client.get(`/v1/leads/${anonymousId}`);
      expect(lead.body).toMatchObject({ rollups: { eventCount: 5, countsByType: { scroll_depth: 5 } } });
    });

    it('hands stored events to ingestion listeners, marking the retried ones as duplicates', async () => {
      const received: StoredBatch[] = [];
      const unsubscribe = nudge.api.app.get(IngestionDispatcher).subscribe((batch) => {
        received.push(batch);
        return Promise.resolve();
      });
      const messageId = randomUUID();
      const event = { userId: 'u-seam', messageId, event: 'quote_request', properties: { product: 'auto' } };

      await nudge.client.post('/v1/track', event);
      await nudge.client.post('/v1/track', event);
      unsubscribe();

      expect(received.map((batch) => batch.events.map((e) => [e.messageId, e.eventType, e.duplicate]))).toEqual([
        [[messageId, 'quote_request', false]],
        [[messageId, 'quote_request', true]],
      ]);
      expect(received[0].workspaceId).toBe('dev');
    });
  });

  describe('a batch with some bad items', () => {
    it('stores the good ones, returns the bad ones with index, messageId and reason, and keeps them in failed_events', async () => {
      const userId = `user-${randomUUID()}`;
      const reply = await nudge.client.post('/v1/batch', {
        batch: [
          { type: 'track', userId, messageId: 'ok-1', event: 'form_submit', properties: { formId: 'quote' } },
          { type: 'track', messageId: 'no-ids', event: 'form_submit', properties: { formId: 'quote' } },
          {
            type: 'track',
            userId,
            messageId: 'bad-schema',
            event: 'form_abandon',
            properties: { formCompletion: 'half' },
          },
          { type: 'launch', userId, messageId: 'bad-type' },
        ],
      });

      expect(reply.status).toBe(200);
      expect(reply.body).toEqual({
        success: true,
        accepted: 1,
        duplicates: 0,
        rejected: [
          { index: 1, messageId: 'no-ids', reason: 'userId or anonymousId is required', status: 400 },
          {
            index: 2,
            messageId: 'bad-schema',
            reason: 'properties.formId: is required; properties.formCompletion: expected number, received string',
            status: 400,
          },
          {
            index: 3,
            messageId: 'bad-type',
            reason: expect.stringMatching(/^type: must be one of track, page/),
            status: 400,
          },
        ],
      });
      expect(await failed({ messageId: 'bad-schema' })).toMatchObject({
        workspaceId: 'dev',
        kind: 'schema',
        reason: expect.stringContaining('properties.formId'),
      });
      expect(JSON.parse((await failed({ messageId: 'no-ids' }))!.payload as string)).toMatchObject({
        event: 'form_submit',
      });
      const listed = await nudge.client.get<{ failedEvents: Array<Record<string, unknown>> }>('/v1/failed-events');
      expect(listed.body.failedEvents.map((e) => e.messageId)).toEqual(
        expect.arrayContaining(['no-ids', 'bad-schema', 'bad-type']),
      );
    });
  });

  describe('limits and errors: 4xx naming what is wrong, never 500', () => {
    const expectError = async (reply: Promise<{ status: number; body: unknown }>, status: number, message: RegExp) => {
      const { status: actual, body } = await reply;
      expect({ status: actual, message: (body as { message: string }).message }).toEqual({
        status,
        message: expect.stringMatching(message),
      });
    };

    it('refuses malformed JSON', async () => {
      await expectError(nudge.client.post('/v1/track', '{"event": "x",'), 400, /^body: is not valid JSON/);
      await expectError(
        nudge.client.post('/v1/track', '{"event": "x"', { 'content-type': 'text/plain' }),
        400,
        /^body: is not valid JSON/,
      );
    });

    it('refuses a body over 500 KB with 413', async () => {
      const batch = Array.from({ length: 30 }, () => ({
        type: 'track',
        userId: 'u',
        event: 'x',
        properties: { blob: 'a'.repeat(20_000) },
      }));
      await expectError(nudge.client.post('/v1/batch', { batch }), 413, /500 KB/);
    });

    it('refuses an event over 32 KB with 413, alone or as a batch item', async () => {
      const huge = {
        type: 'track',
        userId: 'u',
        messageId: 'huge',
        event: 'x',
        properties: { blob: 'a'.repeat(40_000) },
      };
      await expectError(nudge.client.post('/v1/track', huge), 413, /limit is 32 KB/);
      const reply = await nudge.client.post('/v1/batch', { batch: [huge] });
      expect(reply.body).toMatchObject({
        accepted: 0,
        rejected: [{ index: 0, status: 413, reason: expect.stringMatching(/32 KB/) }],
      });
    });

    it('refuses more than 2,500 events in a batch', async () => {
      const batch = Array.from({ length: 2501 }, () => ({ type: 'track', userId: 'u', event: 'x' }));
      await expectError(nudge.client.post('/v1/batch', { batch }), 400, /^batch: has 2501 events; the limit is 2500/);
    });

    it('refuses an event with neither userId nor anonymousId, naming them', async () => {
      await expectError(nudge.client.post('/v1/track', { event: 'x' }), 400, /^userId or anonymousId is required$/);
    });

    it('refuses placeholder ids, naming the field', async () => {
      for (const id of ['anonymous', 'null', '0', 'undefined']) {
        await expectError(
          nudge.client.post('/v1/track', { event: 'x', anonymousId: id }),
          400,
          new RegExp(`^anonymousId: "${id}" is a placeholder`),
        );
      }
    });

    it('refuses wrong types, naming the field', async () => {
      await expectError(nudge.client.post('/v1/track', { event: 5, userId: 'u' }), 400, /^event: expected string/);
      await expectError(nudge.client.post('/v1/track', { event: 'x', userId: { id: 1 } }), 400, /^userId: /);
      await expectError(
        nudge.client.post('/v1/track', { event: 'x', userId: 'u', timestamp: 'yesterday' }),
        400,
        /^timestamp: /,
      );
      await expectError(
        nudge.client.post('/v1/track', { event: 'x', userId: 'u', properties: [1, 2] }),
        400,
        /^properties: /,
      );
      await expectError(nudge.client.post('/v1/batch', { batch: 'all of them' }), 400, /^batch: /);
    });

    it('refuses huge ids and names', async () => {
      await expectError(nudge.client.post('/v1/track', { event: 'x', userId: 'u'.repeat(300) }), 400, /^userId: /);
      await expectError(nudge.client.post('/v1/track', { event: 'e'.repeat(300), userId: 'u' }), 400, /^event: /);
    });

    it('refuses keys MongoDB would read as operators or paths, and deep nesting', async () => {
      await expectError(
        nudge.client.post('/v1/track', { event: 'x', userId: 'u', properties: { $gt: 1 } }),
        400,
        /^properties\.\$gt: keys may not start with "\$"/,
      );
      await expectError(
        nudge.client.post('/v1/track', { event: 'x', userId: 'u', context: { 'a.b': 1 } }),
        400,
        /^context\.a\.b: keys may not .* contain "\."/,
      );
      let deep: Record<string, unknown> = { leaf: true };
      for (let i = 0; i < 40; i++) deep = { deep };
      await expectError(
        nudge.client.post('/v1/track', { event: 'x', userId: 'u', properties: deep }),
        400,
        /nested deeper than 16 levels/,
      );
    });

    it('refuses prototype pollution attempts', async () => {
      await expectError(
        nudge.client.post('/v1/track', '{"event":"x","userId":"u","__proto__":{"admin":true}}'),
        400,
        /^body: is not valid JSON/,
      );
    });

    it('answers 415 for a content type it cannot read', async () => {
      await expectError(
        nudge.client.post('/v1/track', 'event=x', { 'content-type': 'application/xml' }),
        415,
        /^Content-Type: /,
      );
    });

    it('answers 401 for a missing or bad write key, and for a secret key on ingestion', async () => {
      const anonymous = (headers: Record<string, string>) =>
        nudge.client.post('/v1/track', { event: 'x', userId: 'u' }, headers);
      await expectError(anonymous({ authorization: '' }), 401, /write key is required/);
      await expectError(anonymous({ authorization: basic('wk_not_a_real_key') }), 401, /write key is not valid/);
      await expectError(anonymous({ authorization: basic(DEV_SECRET_KEY) }), 401, /write key is not valid/);
    });
  });

  it('documents the tracking and lead routes in OpenAPI, with both kinds of key', async () => {
    const document = (await (await fetch(`${nudge.api.url}/docs/openapi.json`)).json()) as {
      paths: Record<string, { post?: { requestBody?: unknown } }>;
      components: { securitySchemes: Record<string, { scheme: string }> };
    };

    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining([
        '/v1/track',
        '/v1/t',
        '/v1/batch',
        '/v1/b',
        '/api/behavior/events',
        '/v1/leads/{id}',
        '/v1/leads/{id}/events',
      ]),
    );
    expect(document.paths['/v1/track'].post!.requestBody).toMatchObject({
      content: { 'application/json': { schema: { properties: { event: { type: 'string' } } } } },
    });
    expect(document.components.securitySchemes).toMatchObject({
      writeKey: { scheme: 'basic' },
      bearer: { scheme: 'bearer' },
    });
  });

  it('answers CORS preflights from any site', async () => {
    const response = await fetch(`${nudge.api.url}/v1/batch`, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://insure.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type',
      },
    });

    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe('https://insure.example');
    expect(response.headers.get('access-control-allow-methods')).toContain('POST');
  });

  describe("the product spec's POST /api/behavior/events", () => {
    it('stores a TrackBehaviorEventRequest with its session and lead', async () => {
      const messageId = randomUUID();
      const reply = await nudge.client.post('/api/behavior/events', {
        eventType: 'form_abandon',
        category: 'intent',
        properties: { formId: 'quote-form', formCompletion: 60 },
        context: { userAgent: 'Mozilla/5.0', country: 'US', device: 'desktop' },
        value: 3,
        metadata: { campaign: 'spring' },
        sessionId: 'session-123',
        leadId: 'lead-456',
        messageId,
      });

      expect(reply.status).toBe(200);
      expect(await stored(messageId)).toMatchObject({
        eventType: 'form_abandon',
        category: 'intent',
        userId: 'lead-456',
        sessionId: 'session-123',
        value: 3,
        metadata: { campaign: 'spring' },
        context: { country: 'US', device: 'desktop' },
      });
    });

    it('uses the session as the anonymous visitor when no lead is given', async () => {
      const sessionId = `session-${randomUUID()}`;
      await nudge.client.post('/api/behavior/events', {
        eventType: 'page_view',
        category: 'engagement',
        properties: { url: '/auto' },
        sessionId,
      });

      const lead = await nudge.client.get(`/v1/leads/${sessionId}`);
      expect(lead.body).toMatchObject({
        identities: [{ type: 'anonymousId', value: sessionId }],
        rollups: { eventCount: 1 },
      });
    });

    it('refuses a category that contradicts the catalog, and a missing eventType', async () => {
      const wrong = await nudge.client.post('/api/behavior/events', {
        eventType: 'form_abandon',
        category: 'engagement',
        properties: { formId: 'q' },
        leadId: 'l',
      });
      const missing = await nudge.client.post('/api/behavior/events', { category: 'intent', leadId: 'l' });

      expect(wrong).toMatchObject({
        status: 400,
        body: { message: 'category: form_abandon events are "intent", not "engagement"' },
      });
      expect(missing).toMatchObject({ status: 400, body: { message: 'eventType: is required' } });
    });
  });
});
