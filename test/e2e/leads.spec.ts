import { randomUUID } from 'node:crypto';
import { WorkspacesRepository } from '../../src/workspaces/workspaces.repository';
import { basic, bearer, databaseOf, DEV_WRITE_KEY, useApi } from '../support/tracking';

interface Profile {
  id: string;
  userId: string | null;
  identities: Array<{ type: string; value: string }>;
  traits: Record<string, unknown>;
  rollups: {
    eventCount: number;
    countsByType: Record<string, number>;
    daily: Record<string, Record<string, number>>;
    valueSum: number;
    firstSeenAt: string;
    lastSeenAt: string;
  };
  sessions: { count: number; totalDurationSeconds: number };
  mergedLeadIds: string[];
}

interface EventPage {
  leadId: string;
  events: Array<{ messageId: string; eventType?: string; timestamp: string; leadId: string; sessionId?: string }>;
  nextCursor: string | null;
}

describe('lead profiles, identity stitching and workspaces', () => {
  const nudge = useApi();
  const id = (prefix: string) => `${prefix}-${randomUUID()}`;
  const at = (iso: string) => new Date(iso).toISOString();
  const track = (
    who: Record<string, string>,
    event: string,
    properties: Record<string, unknown> = {},
    timestamp?: string,
  ) =>
    nudge.client.post('/v1/track', {
      ...who,
      event,
      properties,
      messageId: randomUUID(),
      ...(timestamp && { timestamp }),
    });
  const profile = async (leadOrIdentity: string) =>
    (await nudge.client.get<Profile>(`/v1/leads/${leadOrIdentity}`)).body;

  describe('profiles', () => {
    it('creates the lead on its first event and keeps rollups per type, per day, value sums and first/last seen', async () => {
      const userId = id('user');
      await track({ userId }, 'product_viewed', { productId: 'p1' }, '2026-03-01T10:00:00Z');
      await track({ userId }, 'added_to_cart', { productId: 'p1', quantity: 2 }, '2026-03-01T10:05:00Z');
      await track({ userId }, 'order_completed', { orderId: 'o1', revenue: 80 }, '2026-03-02T09:00:00Z');
      await track({ userId }, 'order_completed', { orderId: 'o2', revenue: 20.5 }, '2026-03-02T09:10:00Z');

      const lead = await profile(userId);

      expect(lead.id).toMatch(/^lead_[0-9a-f]{24}$/);
      expect(lead).toMatchObject({
        userId,
        identities: [{ type: 'userId', value: userId }],
        rollups: {
          eventCount: 4,
          countsByType: { product_viewed: 1, added_to_cart: 1, order_completed: 2 },
          daily: { '2026-03-01': { product_viewed: 1, added_to_cart: 1 }, '2026-03-02': { order_completed: 2 } },
          valueSum: 100.5,
          firstSeenAt: at('2026-03-01T10:00:00Z'),
          lastSeenAt: at('2026-03-02T09:10:00Z'),
        },
      });
      expect(await profile(lead.id)).toEqual(lead);
    });

    it('counts every event when many requests race to create the same new lead', async () => {
      const userId = id('user');
      const replies = await Promise.all(
        Array.from({ length: 12 }, () => track({ userId }, 'click_outbound', { href: 'https://x.example' })),
      );

      expect(replies.map((reply) => reply.status)).toEqual(Array(12).fill(200));
      expect((await profile(userId)).rollups.countsByType).toEqual({ click_outbound: 12 });
      expect(await databaseOf(nudge.api.app).collection('leads').countDocuments({ userIds: userId })).toBe(1);
    });

    it('keeps event types whose names hold dots apart in the rollups', async () => {
      const anonymousId = id('anon');
      await track({ anonymousId }, 'Signed Up.v2');
      await track({ anonymousId }, 'Signed Up');

      expect((await profile(anonymousId)).rollups.countsByType).toEqual({ 'Signed Up.v2': 1, 'Signed Up': 1 });
    });

    it('derives sessions from 30 minutes of inactivity, or takes the client session id', async () => {
      const anonymousId = id('anon');
      await track({ anonymousId }, 'page_view', {}, '2026-04-01T08:00:00Z');
      await track({ anonymousId }, 'scroll_depth', { percent: 50 }, '2026-04-01T08:10:00Z');
      await track({ anonymousId }, 'page_view', {}, '2026-04-01T08:50:00Z'); // 40 idle minutes: a new session

      expect((await profile(anonymousId)).sessions).toMatchObject({ count: 2, totalDurationSeconds: 600 });

      const withClientSessions = id('anon');
      for (const [sessionId, timestamp] of [
        ['s1', '2026-04-01T08:00:00Z'],
        ['s1', '2026-04-01T08:01:00Z'],
        ['s2', '2026-04-01T08:02:00Z'],
      ]) {
        await nudge.client.post('/v1/track', {
          anonymousId: withClientSessions,
          event: 'page_view',
          timestamp,
          context: { sessionId },
        });
      }
      const events = await nudge.client.get<EventPage>(`/v1/leads/${withClientSessions}/events`);
      expect(events.body.events.map((e) => e.sessionId)).toEqual(['s2', 's1', 's1']);
      expect((await profile(withClientSessions)).sessions).toMatchObject({ count: 2, totalDurationSeconds: 60 });
    });

    it('answers 404 for an unknown lead, naming the id', async () => {
      const reply = await nudge.client.get('/v1/leads/nobody-here');
      expect(reply).toMatchObject({
        status: 404,
        body: { message: 'no lead has the id, userId or anonymousId "nobody-here"' },
      });
    });
  });

  describe('identity stitching', () => {
    it('ties an anonymous visitor to the user who identifies, with traits', async () => {
      const anonymousId = id('anon');
      const userId = id('user');
      await track({ anonymousId }, 'form_start', { formId: 'quote' });
      const anonymousLead = await profile(anonymousId);

      await nudge.client.post('/v1/identify', {
        userId,
        anonymousId,
        traits: { email: 'ada@example.com', region: 'west' },
      });
      await track({ userId }, 'form_submit', { formId: 'quote' });

      const lead = await profile(userId);
      expect(lead.id).toBe(anonymousLead.id);
      expect(lead.identities).toEqual(
        expect.arrayContaining([
          { type: 'userId', value: userId },
          { type: 'anonymousId', value: anonymousId },
        ]),
      );
      expect(lead.traits).toEqual({ email: 'ada@example.com', region: 'west' });
      expect(lead.rollups.countsByType).toEqual({ form_start: 1, form_submit: 1 });
    });

    it("folds a returning user's new-device history into their lead", async () => {
      const userId = id('user');
      const newDevice = id('anon');
      await track({ userId }, 'page_view', {}, '2026-05-01T10:00:00Z');
      await track({ anonymousId: newDevice }, 'video_play', {}, '2026-05-02T10:00:00Z');
      await track({ anonymousId: newDevice }, 'download', { fileName: 'policy.pdf' }, '2026-05-02T10:01:00Z');
      const deviceLead = await profile(newDevice);
      const userLead = await profile(userId);
      expect(deviceLead.id).not.toBe(userLead.id);

      await nudge.client.post('/v1/identify', { userId, anonymousId: newDevice, timestamp: '2026-05-02T10:02:00Z' });

      const merged = await profile(newDevice);
      expect(merged.id).toBe(userLead.id);
      expect(merged.mergedLeadIds).toEqual([deviceLead.id]);
      expect(merged.rollups).toMatchObject({
        eventCount: 3,
        countsByType: { page_view: 1, video_play: 1, download: 1 },
        firstSeenAt: at('2026-05-01T10:00:00Z'),
      });
      expect(await profile(deviceLead.id)).toEqual(merged);
      const events = await nudge.client.get<EventPage>(`/v1/leads/${userId}/events`);
      expect(events.body.events.map((e) => e.eventType)).toEqual(
        expect.arrayContaining(['page_view', 'video_play', 'download']),
      );
    });

    it('never merges an identified lead into another', async () => {
      const sharedDevice = id('anon');
      const first = id('user');
      const second = id('user');
      await nudge.client.post('/v1/identify', { userId: first, anonymousId: sharedDevice });
      await nudge.client.post('/v1/identify', { userId: second, anonymousId: sharedDevice });

      const firstLead = await profile(first);
      const secondLead = await profile(second);
      expect(secondLead.id).not.toBe(firstLead.id);
      expect((await profile(sharedDevice)).id).toBe(firstLead.id);
      expect(firstLead.mergedLeadIds).toEqual([]);
    });

    it('merges on alias, and refuses to alias one identified lead into another', async () => {
      const previousId = id('anon');
      const userId = id('user');
      await track({ anonymousId: previousId }, 'quote_request');
      await track({ userId }, 'application_start');

      const aliased = await nudge.client.post('/v1/alias', { previousId, userId });
      expect(aliased.status).toBe(200);
      expect((await profile(previousId)).id).toBe((await profile(userId)).id);
      expect((await profile(userId)).rollups.countsByType).toEqual({ quote_request: 1, application_start: 1 });

      const other = id('user');
      await track({ userId: other }, 'page_view');
      const refused = await nudge.client.post('/v1/alias', { previousId: other, userId });
      expect(refused).toMatchObject({
        status: 400,
        body: { message: `previousId "${other}" belongs to an identified lead, which is never merged into another` },
      });
    });

    it('stitches within one batch: anonymous page views, then identify', async () => {
      const anonymousId = id('anon');
      const userId = id('user');
      await nudge.client.post('/v1/batch', {
        batch: [
          { type: 'page', anonymousId, properties: { url: '/' } },
          { type: 'identify', anonymousId, userId, traits: { plan: 'auto' } },
          { type: 'track', anonymousId, userId, event: 'form_submit', properties: { formId: 'quote' } },
        ],
      });

      const lead = await profile(anonymousId);
      expect(lead).toMatchObject({
        userId,
        traits: { plan: 'auto' },
        rollups: { countsByType: { page_view: 1, form_submit: 1 } },
      });
      expect((await profile(userId)).id).toBe(lead.id);
    });

    it('links the identities of many visitors met in one batch, each to its own lead', async () => {
      const visitors = Array.from({ length: 5 }, () => ({ anonymousId: id('anon'), userId: id('user') }));
      await nudge.client.post('/v1/batch', {
        batch: visitors.flatMap(({ anonymousId, userId }) => [
          { type: 'page', anonymousId, properties: { url: '/' } },
          { type: 'identify', anonymousId, userId },
        ]),
      });

      const leads = await Promise.all(visitors.map(({ anonymousId }) => profile(anonymousId)));
      expect(new Set(leads.map((lead) => lead.id)).size).toBe(visitors.length);
      for (const [i, { anonymousId, userId }] of visitors.entries()) {
        expect(leads[i]).toMatchObject({ userId, rollups: { countsByType: { page_view: 1 } } });
        expect((await profile(userId)).id).toBe(leads[i].id);
        expect(leads[i].identities).toEqual(
          expect.arrayContaining([
            { type: 'userId', value: userId },
            { type: 'anonymousId', value: anonymousId },
          ]),
        );
      }
    });
  });

  describe("a lead's events", () => {
    const userId = `user-${randomUUID()}`;
    const days = ['2026-06-01', '2026-06-02', '2026-06-03', '2026-06-04', '2026-06-05'];

    beforeAll(async () => {
      await nudge.client.post('/v1/batch', {
        batch: days.flatMap((day) => [
          { type: 'track', userId, event: 'email_open', timestamp: `${day}T09:00:00Z`, messageId: `${day}-open` },
          { type: 'track', userId, event: 'email_click', timestamp: `${day}T09:00:00Z`, messageId: `${day}-click` },
        ]),
      });
    });

    it('pages through every event, newest first, with the cursor', async () => {
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: { body: EventPage } = await nudge.client.get<EventPage>(
          `/v1/leads/${userId}/events?limit=3${cursor ? `&cursor=${cursor}` : ''}`,
        );
        expect(page.body.events.length).toBeLessThanOrEqual(3);
        seen.push(...page.body.events.map((e) => e.messageId));
        cursor = page.body.nextCursor;
      } while (cursor);

      expect(seen).toHaveLength(10);
      expect(new Set(seen).size).toBe(10);
      expect(seen.slice(0, 2).sort()).toEqual(['2026-06-05-click', '2026-06-05-open']);
      expect(seen.slice(-2).sort()).toEqual(['2026-06-01-click', '2026-06-01-open']);
    });

    it('filters by time range and type', async () => {
      const reply = await nudge.client.get<EventPage>(
        `/v1/leads/${userId}/events?type=email_click&from=2026-06-02T00:00:00Z&to=2026-06-04T00:00:00Z`,
      );

      expect(reply.body.events.map((e) => e.messageId)).toEqual(['2026-06-03-click', '2026-06-02-click']);
    });

    it('refuses a bad query, naming the parameter', async () => {
      expect(await nudge.client.get(`/v1/leads/${userId}/events?limit=0`)).toMatchObject({
        status: 400,
        body: { message: expect.stringMatching(/^limit: /) },
      });
      expect(await nudge.client.get(`/v1/leads/${userId}/events?from=monday`)).toMatchObject({
        status: 400,
        body: { message: expect.stringMatching(/^from: /) },
      });
      expect(await nudge.client.get(`/v1/leads/${userId}/events?cursor=abc`)).toMatchObject({
        status: 400,
        body: { message: 'cursor: is not a cursor this API returned' },
      });
    });
  });

  describe('workspaces and keys', () => {
    const otherWrite = 'wk_other_0123456789abcdef';
    const otherSecret = 'sk_other_0123456789abcdef';

    beforeAll(async () => {
      const workspaces = nudge.api.app.get(WorkspacesRepository);
      const now = new Date();
      await workspaces.ensureWorkspace('other', 'Other', now);
      await workspaces.ensureKey(otherWrite, { workspaceId: 'other', kind: 'write', sourceId: 'other-web' }, now);
      await workspaces.ensureKey(otherSecret, { workspaceId: 'other', kind: 'secret', sourceId: 'other-web' }, now);
    });

    it('keeps the same visitor id in two workspaces apart, each visible only with its own secret key', async () => {
      const anonymousId = id('anon');
      const messageId = randomUUID();
      await nudge.client.post('/v1/track', { anonymousId, messageId, event: 'page_view' });
      await nudge.client.post(
        '/v1/track',
        { anonymousId, messageId, event: 'page_view' },
        { authorization: basic(otherWrite) },
      );
      await nudge.client.post(
        '/v1/track',
        { anonymousId, event: 'download', properties: { fileName: 'x' } },
        { authorization: basic(otherWrite) },
      );

      const mine = await profile(anonymousId);
      const theirs = (
        await nudge.client.get<Profile>(`/v1/leads/${anonymousId}`, { authorization: bearer(otherSecret) })
      ).body;
      expect(mine.id).not.toBe(theirs.id);
      expect(mine.rollups.eventCount).toBe(1);
      expect(theirs.rollups.eventCount).toBe(2);
      expect((await nudge.client.get(`/v1/leads/${theirs.id}`)).status).toBe(404);
      const stored = await databaseOf(nudge.api.app).collection('events').find({ anonymousId }).toArray();
      expect(stored.map((e) => e.workspaceId).sort()).toEqual(['dev', 'other', 'other']);
    });

    it('refuses the write key on reading endpoints, and a missing or unknown secret key', async () => {
      expect(await nudge.client.get('/v1/leads/x', { authorization: bearer(DEV_WRITE_KEY) })).toMatchObject({
        status: 401,
        body: { message: 'this is a write key, which can only send events; use the secret API key' },
      });
      expect(await nudge.client.get('/v1/leads/x', { authorization: '' })).toMatchObject({ status: 401 });
      expect(
        await nudge.client.get('/v1/failed-events', { authorization: bearer('sk_nope_0000000000000000') }),
      ).toMatchObject({
        status: 401,
        body: { message: 'the API key is not valid' },
      });
    });
  });
});
