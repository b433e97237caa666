import { Envelope, MAX_EVENT_BYTES, Prepared, PreparedMessage, prepareMessage, Rejection } from './prepare-message';

const receivedAt = new Date('2026-03-01T12:00:00Z');
const request = { receivedAt, ip: '203.0.113.7' };

function track(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { type: 'track', event: 'form_submit', userId: 'user-1', properties: { formId: 'contact' }, ...overrides };
}

function accepted(prepared: Prepared): PreparedMessage {
  if ('rejection' in prepared) throw new Error(`expected a message, got rejection "${prepared.rejection.reason}"`);
  return prepared.message;
}

function rejected(prepared: Prepared): Rejection {
  if ('message' in prepared) throw new Error(`expected a rejection, got ${JSON.stringify(prepared.message)}`);
  return prepared.rejection;
}

const sut = (raw: unknown, envelope: Envelope = {}) => prepareMessage(raw, envelope, request);

describe('prepareMessage', () => {
  describe('the Segment spec', () => {
    it('accepts a track call and keeps what it describes', () => {
      const message = accepted(
        sut(
          track({
            messageId: 'msg-1',
            anonymousId: 'anon-1',
            metadata: { source: 'landing' },
            properties: { formId: 'contact', plan: 'pro' },
          }),
        ),
      );

      expect(message).toEqual({
        messageId: 'msg-1',
        type: 'track',
        event: 'form_submit',
        eventType: 'form_submit',
        category: 'conversion',
        userId: 'user-1',
        anonymousId: 'anon-1',
        properties: { formId: 'contact', plan: 'pro' },
        metadata: { source: 'landing' },
        context: { ip: '203.0.113.7' },
        timestamp: receivedAt,
        receivedAt,
      });
    });

    it('drops top-level fields the spec does not describe', () => {
      const message = accepted(sut(track({ admin: true, leadScore: 100 })));

      expect(message).not.toHaveProperty('admin');
      expect(message).not.toHaveProperty('leadScore');
    });

    it.each([
      ['an array', [track()]],
      ['null', null],
      ['a string', 'form_submit'],
    ])('refuses %s as an event', (_name, raw) => {
      expect(rejected(sut(raw))).toEqual({ reason: 'an event must be a JSON object', status: 400, kind: 'invalid' });
    });

    it('refuses an unknown type, listing the known ones', () => {
      expect(rejected(sut(track({ type: 'transaction' })))).toMatchObject({
        reason: 'type: must be one of track, page, screen, identify, group, alias',
        status: 400,
      });
    });

    it('lets the endpoint force the type, over the one in the body', () => {
      expect(accepted(prepareMessage(track({ type: undefined }), {}, request, 'track')).type).toBe('track');
      expect(accepted(prepareMessage(track({ type: 'identify' }), {}, request, 'track'))).toMatchObject({
        type: 'track',
        eventType: 'form_submit',
      });
    });

    it('names the field a malformed message gets wrong', () => {
      expect(rejected(sut(track({ event: undefined })))).toMatchObject({
        reason: 'event: is required',
        status: 400,
        kind: 'invalid',
      });
      expect(rejected(sut(track({ timestamp: 'yesterday' }))).reason).toMatch(/^timestamp: /);
    });

    it('echoes the messageId of a refused message, so the client can tell which one', () => {
      expect(rejected(sut(track({ messageId: 'msg-7', event: 42 }))).messageId).toBe('msg-7');
    });

    it('takes numeric ids as strings', () => {
      expect(accepted(sut(track({ userId: 1234 }))).userId).toBe('1234');
    });
  });

  describe('size', () => {
    /** A track call whose JSON is exactly `bytes` long. */
    function ofSize(bytes: number) {
      const raw = track({ properties: { formId: 'contact', padding: '' } });
      const base = Buffer.byteLength(JSON.stringify(raw));
      return track({ properties: { formId: 'contact', padding: 'x'.repeat(bytes - base) } });
    }

    it('accepts an event of exactly 32 KB', () => {
      expect(accepted(sut(ofSize(MAX_EVENT_BYTES))).type).toBe('track');
    });

    it('refuses a larger event with 413, saying how large it is', () => {
      expect(rejected(sut(ofSize(MAX_EVENT_BYTES + 1)))).toEqual({
        reason: `event is ${MAX_EVENT_BYTES + 1} bytes; the limit is 32 KB (${MAX_EVENT_BYTES} bytes) per event`,
        status: 413,
        kind: 'invalid',
      });
    });

    it('counts bytes, not characters', () => {
      // "é" is two bytes in UTF-8: this is under the limit in characters, over it in bytes.
      const raw = track({ properties: { formId: 'contact', note: 'é'.repeat(MAX_EVENT_BYTES / 2) } });

      expect(rejected(sut(raw)).status).toBe(413);
    });
  });

  describe('storage safety', () => {
    it('refuses a "$" key with 400, naming where it is', () => {
      expect(rejected(sut(track({ properties: { formId: 'contact', $where: '1' } })))).toEqual({
        reason: 'properties.$where: keys may not start with "$" or contain "." or NUL',
        status: 400,
        kind: 'invalid',
      });
    });

    it('refuses a dotted key', () => {
      expect(rejected(sut(track({ context: { 'page.url': 'https://example.com' } }))).reason).toMatch(
        /^context\.page\.url: keys may not/,
      );
    });

    it('refuses nesting deeper than 16 levels', () => {
      let deep: Record<string, unknown> = { leaf: true };
      for (let level = 0; level < 16; level++) deep = { deeper: deep };

      expect(rejected(sut(track({ properties: { formId: 'contact', deep } })))).toMatchObject({
        reason: expect.stringMatching(/^properties\.deep(\.deeper)+: nested deeper than 16 levels$/),
        status: 400,
      });
    });
  });

  describe('identities', () => {
    it('requires a userId or an anonymousId', () => {
      expect(rejected(sut(track({ userId: undefined })))).toMatchObject({
        reason: 'userId or anonymousId is required',
        status: 400,
      });
    });

    it('accepts an anonymousId alone', () => {
      expect(accepted(sut(track({ userId: undefined, anonymousId: 'anon-1' }))).anonymousId).toBe('anon-1');
    });

    it.each([
      ['userId', 'anonymous'],
      ['userId', 'null'],
      ['userId', '0'],
      ['userId', 0],
      ['userId', 'Undefined'],
      ['anonymousId', ' guest '],
      ['anonymousId', '[object Object]'],
    ])('refuses the placeholder %s %j, naming the field', (field, value) => {
      const reason = rejected(sut(track({ userId: 'user-1', [field]: value }))).reason;

      expect(reason).toBe(`${field}: "${String(value).trim()}" is a placeholder, not an id`);
    });

    it('refuses a placeholder previousId on alias', () => {
      const raw = { type: 'alias', userId: 'user-1', previousId: 'null' };

      expect(rejected(sut(raw)).reason).toBe('previousId: "null" is a placeholder, not an id');
    });

    it('accepts ids that merely contain a placeholder word', () => {
      expect(accepted(sut(track({ userId: 'anonymous-42' }))).userId).toBe('anonymous-42');
    });
  });

  describe('the event catalog', () => {
    it('refuses properties that break the catalog schema as a schema rejection', () => {
      expect(rejected(sut(track({ properties: {} })))).toEqual({
        reason: 'properties.formId: is required',
        status: 400,
        kind: 'schema',
      });
    });

    it('checks missing properties as an empty object', () => {
      expect(rejected(sut(track({ properties: undefined }))).kind).toBe('schema');
    });

    it('names the wrong property of a Segment e-commerce event', () => {
      const raw = track({ event: 'Order Completed', properties: { orderId: 'o-1', revenue: '12' } });

      expect(rejected(sut(raw))).toMatchObject({
        reason: 'properties.revenue: expected number, received string',
        kind: 'schema',
      });
    });

    it.each([
      ['Order Completed', 'order_completed'],
      ['Product Added', 'added_to_cart'],
      ['Checkout Started', 'checkout_started'],
    ])('files the Segment event "%s" as %s, keeping its name', (event, eventType) => {
      const raw = track({ event, properties: { orderId: 'o-1', revenue: 10 } });

      expect(accepted(sut(raw))).toMatchObject({ event, eventType, category: 'transaction' });
    });

    it('accepts an event outside the catalog as custom, with any properties', () => {
      const message = accepted(sut(track({ event: 'Webinar Registered', properties: { webinar: 7 } })));

      expect(message).toMatchObject({
        event: 'Webinar Registered',
        eventType: 'Webinar Registered',
        category: 'custom',
        properties: { webinar: 7 },
      });
    });

    it('makes a page call a page_view, checked against its schema', () => {
      const raw = { type: 'page', anonymousId: 'anon-1', name: 'Pricing', properties: { url: '/pricing' } };

      expect(accepted(sut(raw))).toMatchObject({ type: 'page', name: 'Pricing', eventType: 'page_view' });
      expect(rejected(sut({ ...raw, properties: { url: 42 } })).kind).toBe('schema');
    });

    it('makes a screen call a screen_view', () => {
      const message = accepted(sut({ type: 'screen', anonymousId: 'anon-1', name: 'Home' }));

      expect(message).toMatchObject({ type: 'screen', name: 'Home', eventType: 'screen_view', category: 'engagement' });
    });

    it('leaves identify, group and alias calls out of the catalog', () => {
      const message = accepted(sut({ type: 'identify', userId: 'user-1', traits: { plan: 'pro' } }));

      expect(message).toMatchObject({ type: 'identify', traits: { plan: 'pro' } });
      expect(message).not.toHaveProperty('eventType');
      expect(message).not.toHaveProperty('category');
    });
  });

  describe('categories', () => {
    it('accepts the category a catalog event has', () => {
      expect(accepted(sut(track({ category: 'conversion' }))).category).toBe('conversion');
    });

    it('refuses a different category for a catalog event, saying which it is', () => {
      expect(rejected(sut(track({ category: 'intent' })))).toEqual({
        reason: 'category: form_submit events are "conversion", not "intent"',
        status: 400,
        kind: 'invalid',
      });
    });

    it('lets a custom event take a spec category', () => {
      expect(accepted(sut(track({ event: 'demo_booked', category: 'conversion' }))).category).toBe('conversion');
    });

    it('refuses a custom event a category outside the spec, listing the spec ones', () => {
      expect(rejected(sut(track({ event: 'demo_booked', category: 'sales' }))).reason).toBe(
        'category: demo_booked events are one of engagement, intent, conversion, communication, transaction, not "sales"',
      );
    });

    it('ignores the category of a page call, which is a page category in Segment', () => {
      const message = accepted(sut({ type: 'page', anonymousId: 'anon-1', category: 'Docs' }));

      expect(message.category).toBe('engagement');
    });
  });

  describe('timestamps', () => {
    it('defaults to the time the event was received', () => {
      expect(accepted(sut(track()))).toMatchObject({ timestamp: receivedAt, receivedAt });
    });

    it("keeps the device's time when there is no sentAt to correct it by", () => {
      const message = accepted(sut(track({ timestamp: '2026-03-01T11:00:00Z' })));

      expect(message.timestamp).toEqual(new Date('2026-03-01T11:00:00Z'));
      expect(message.originalTimestamp).toEqual(new Date('2026-03-01T11:00:00Z'));
    });

    it("corrects the device's clock skew: timestamp = receivedAt - (sentAt - originalTimestamp)", () => {
      // The device clock runs an hour behind: it sent 10 s after the event, by its own clock.
      const raw = track({ originalTimestamp: '2026-03-01T11:00:00Z', sentAt: '2026-03-01T11:00:10Z' });

      const message = accepted(sut(raw));

      expect(message.timestamp).toEqual(new Date('2026-03-01T11:59:50Z'));
      expect(message.originalTimestamp).toEqual(new Date('2026-03-01T11:00:00Z'));
      expect(message.sentAt).toEqual(new Date('2026-03-01T11:00:10Z'));
    });

    it('corrects a timestamp with the batch sentAt', () => {
      const raw = track({ timestamp: '2026-03-01T13:00:00+01:00' });

      const message = accepted(sut(raw, { sentAt: new Date('2026-03-01T12:00:30Z') }));

      expect(message.timestamp).toEqual(new Date('2026-03-01T11:59:30Z'));
    });

    it('prefers originalTimestamp to timestamp as the device time', () => {
      const raw = track({ originalTimestamp: '2026-03-01T10:00:00Z', timestamp: '2026-03-01T11:00:00Z' });

      expect(accepted(sut(raw)).timestamp).toEqual(new Date('2026-03-01T10:00:00Z'));
    });

    it('keeps a timestamp up to 5 minutes ahead', () => {
      expect(accepted(sut(track({ timestamp: '2026-03-01T12:05:00Z' }))).timestamp).toEqual(
        new Date('2026-03-01T12:05:00Z'),
      );
    });

    it('resets a timestamp more than 5 minutes ahead to receivedAt', () => {
      const message = accepted(sut(track({ timestamp: '2026-03-01T12:05:01Z' })));

      expect(message.timestamp).toEqual(receivedAt);
      expect(message.originalTimestamp).toEqual(new Date('2026-03-01T12:05:01Z'));
    });

    it('accepts a date without a time', () => {
      expect(accepted(sut(track({ timestamp: '2026-02-27' }))).timestamp).toEqual(new Date('2026-02-27T00:00:00Z'));
    });
  });

  describe('the batch envelope', () => {
    it('fills in context and integrations, the item winning', () => {
      const envelope: Envelope = {
        context: { library: { name: 'analytics-node' }, locale: 'en-US' },
        integrations: { All: true },
      };
      const raw = track({ context: { locale: 'de-DE' }, integrations: { All: false } });

      const message = accepted(sut(raw, envelope));

      expect(message.context).toEqual({ library: { name: 'analytics-node' }, locale: 'de-DE', ip: '203.0.113.7' });
      expect(message.integrations).toEqual({ All: false });
    });

    it('uses the batch integrations when the item has none', () => {
      expect(accepted(sut(track(), { integrations: { Mixpanel: false } })).integrations).toEqual({ Mixpanel: false });
    });

    it("uses the item's sentAt over the batch's", () => {
      const raw = track({ originalTimestamp: '2026-03-01T11:00:00Z', sentAt: '2026-03-01T11:00:10Z' });

      const message = accepted(sut(raw, { sentAt: new Date('2026-03-01T11:00:40Z') }));

      expect(message.sentAt).toEqual(new Date('2026-03-01T11:00:10Z'));
      expect(message.timestamp).toEqual(new Date('2026-03-01T11:59:50Z'));
    });

    it('does not change the envelope it shares with the other items', () => {
      const envelope: Envelope = { context: { locale: 'en-US' } };

      accepted(sut(track(), envelope));

      expect(envelope).toEqual({ context: { locale: 'en-US' } });
    });
  });

  describe('context.ip', () => {
    it('keeps an ip the client set', () => {
      expect(accepted(sut(track({ context: { ip: '198.51.100.1' } }))).context.ip).toBe('198.51.100.1');
    });

    it('keeps an ip set on the batch', () => {
      expect(accepted(sut(track(), { context: { ip: '198.51.100.2' } })).context.ip).toBe('198.51.100.2');
    });

    it('fills in the request ip when the one sent is not a string', () => {
      expect(accepted(sut(track({ context: { ip: null } }))).context.ip).toBe('203.0.113.7');
    });
  });

  describe('messageId', () => {
    it('keeps the one sent', () => {
      expect(accepted(sut(track({ messageId: 'msg-1' }))).messageId).toBe('msg-1');
    });

    it('generates a distinct one when none is sent', () => {
      const first = accepted(sut(track())).messageId;
      const second = accepted(sut(track())).messageId;

      expect(first).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      expect(second).not.toBe(first);
    });
  });

  describe('value', () => {
    const custom = (overrides: Record<string, unknown>) => track({ event: 'deal_won', ...overrides });

    it('takes the spec field value first', () => {
      expect(accepted(sut(custom({ value: 5, properties: { revenue: 7, value: 9 } }))).value).toBe(5);
    });

    it("falls back to Segment's properties.revenue", () => {
      expect(accepted(sut(custom({ properties: { revenue: 7, value: 9 } }))).value).toBe(7);
    });

    it('falls back to a numeric properties.value', () => {
      expect(accepted(sut(custom({ properties: { revenue: '7', value: 9 } }))).value).toBe(9);
    });

    it('keeps a zero value', () => {
      expect(accepted(sut(custom({ value: 0 }))).value).toBe(0);
    });

    it('has no value without a number to take', () => {
      expect(accepted(sut(custom({ properties: { value: 'high' } })))).not.toHaveProperty('value');
    });

    it('gives page calls no value', () => {
      const message = accepted(sut({ type: 'page', anonymousId: 'anon-1', properties: { revenue: 7 } }));

      expect(message).not.toHaveProperty('value');
    });
  });

  describe('client sessions', () => {
    it('takes the sessionId field', () => {
      expect(accepted(sut(track({ sessionId: 'tab-1' }))).clientSessionId).toBe('tab-1');
    });

    it('falls back to context.sessionId, as a string', () => {
      expect(accepted(sut(track({ context: { sessionId: 1718000000 } }))).clientSessionId).toBe('1718000000');
    });

    it('has none when the client sends none', () => {
      expect(accepted(sut(track()))).not.toHaveProperty('clientSessionId');
    });
  });

  describe('other call types', () => {
    it('keeps group ids and traits', () => {
      const message = accepted(sut({ type: 'group', userId: 'user-1', groupId: 42, traits: { size: 50 } }));

      expect(message).toMatchObject({ type: 'group', groupId: '42', traits: { size: 50 } });
    });

    it('keeps the previousId of an alias', () => {
      const message = accepted(sut({ type: 'alias', userId: 'user-1', previousId: 'anon-1' }));

      expect(message).toMatchObject({ type: 'alias', userId: 'user-1', previousId: 'anon-1' });
    });
  });
});
