import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomUUID } from 'node:crypto';
import { mongo } from 'mongoose';
import { LeadsRepository } from '../../src/leads/leads.repository';
import { databaseOf, trackingClient } from '../support/tracking';

/**
 * Two API instances against one database, as production runs them: nothing in either
 * process coordinates with the other, so every count below is exact only if the data
 * design makes it so (conditional upserts on the lead's rev, rollup keys, atomic `$inc`).
 */
describe('ingestion under concurrency, across two API instances', () => {
  const apis: Array<{ app: NestFastifyApplication; url: string }> = [];
  const clients: Array<ReturnType<typeof trackingClient>> = [];

  beforeAll(async () => {
    const { startApi } = await import('../support/nudge');
    for (let i = 0; i < 2; i++) {
      apis.push(await startApi());
      clients.push(trackingClient(apis[i].url));
    }
  });
  afterAll(async () => {
    await databaseOf(apis[0].app).dropDatabase();
    for (const api of apis) await api.app.close();
  });

  const leads = () =>
    databaseOf(apis[0].app).collection<{ _id: string; eventCount?: number; rollupKeys?: unknown }>('leads');
  const events = () => databaseOf(apis[0].app).collection('events');
  const track = (userId: string, event: string, timestamp: Date, properties: Record<string, unknown> = {}) => ({
    type: 'track',
    userId,
    event,
    properties: { ...properties, ...(event === 'order_completed' && { orderId: randomUUID() }) },
    timestamp: timestamp.toISOString(),
    messageId: randomUUID(),
  });

  /** Sends every batch, `concurrency` at a time, alternating the two APIs; returns the statuses (with the answer of a failure). */
  async function sendAll(batches: unknown[][], concurrency: number): Promise<Array<number | string>> {
    const statuses: Array<number | string> = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async (_, worker) => {
        for (let i = next++; i < batches.length; i = next++) {
          const reply = await clients[(i + worker) % 2].post('/v1/batch', { batch: batches[i] });
          statuses.push(reply.status === 200 ? 200 : `${reply.status} ${JSON.stringify(reply.body)}`);
        }
      }),
    );
    return statuses;
  }

  it('8 concurrent clients create and then update 1,000 leads: every request succeeds, every count is exact, and both APIs and the database answer afterwards', async () => {
    const userIds = Array.from({ length: 1_000 }, (_, i) => `load-${i}-${randomUUID()}`);
    const start = new Date(Date.now() - 60 * 60_000);
    const pass = (round: number) =>
      Array.from({ length: 50 }, (_, b) =>
        userIds
          .slice(b * 20, b * 20 + 20)
          .map((userId) => track(userId, 'page_view', new Date(start.getTime() + round * 60_000))),
      );

    const firstContact = await sendAll(pass(0), 8);
    const existingLeads = await sendAll(pass(1), 8);

    expect(firstContact.filter((status) => status !== 200)).toEqual([]);
    expect(existingLeads.filter((status) => status !== 200)).toEqual([]);
    expect(await events().countDocuments({ userId: { $in: userIds } })).toBe(2_000);
    const stored = await leads()
      .find({ userIds: { $in: userIds } } as never, { projection: { eventCount: 1, sessionCount: 1 } })
      .toArray();
    expect(stored).toHaveLength(1_000);
    expect(stored.filter((lead) => lead.eventCount !== 2)).toEqual([]);
    for (const client of clients) {
      const reply = await client.post('/v1/track', track(userIds[0], 'page_view', new Date()));
      expect(reply.status).toBe(200);
    }
    expect(await databaseOf(apis[1].app).command({ ping: 1 })).toMatchObject({ ok: 1 });
  });

  it("keeps one lead's counters, value sums and session exact when both APIs write to it at once", async () => {
    const userIds = Array.from({ length: 4 }, (_, i) => `busy-${i}-${randomUUID()}`);
    const start = new Date(Date.now() - 20 * 60_000);
    // 4 leads × 120 events, all within one session whatever order they land in, 3 per batch.
    const all = userIds.flatMap((userId) =>
      Array.from({ length: 120 }, (_, i) =>
        track(userId, i % 3 ? 'page_view' : 'order_completed', new Date(start.getTime() + i * 5_000), {
          ...(i % 3 === 0 && { revenue: 2.5 }),
        }),
      ),
    );
    const batches = Array.from({ length: all.length / 3 }, (_, b) => [all[b], all[b + 160], all[b + 320]]);

    const statuses = await sendAll(batches, 12);

    expect(statuses.filter((status) => status !== 200)).toEqual([]);
    for (const userId of userIds) {
      const { body: lead } = await clients[0].get<{
        id: string;
        rollups: { eventCount: number; countsByType: Record<string, number>; valueSum: number };
        sessions: { count: number; current: { id: string } };
      }>(`/v1/leads/${userId}`);
      expect(lead.rollups).toMatchObject({
        eventCount: 120,
        countsByType: { page_view: 80, order_completed: 40 },
        valueSum: 100,
      });
      expect(lead.sessions.count).toBe(1);
      const sessionIds = await events().distinct('sessionId', { leadId: lead.id });
      expect(sessionIds).toEqual([lead.sessions.current.id]);
    }
  });

  describe('a batch whose events were stored but whose rollup was lost', () => {
    const batchOf = (userId: string) =>
      Array.from({ length: 5 }, (_, i) =>
        track(userId, 'order_completed', new Date(Date.now() - 60_000 + i * 1_000), { revenue: 10 }),
      );
    const eventCountOf = async (userId: string) =>
      (await clients[1].get<{ rollups: { eventCount: number; valueSum: number } }>(`/v1/leads/${userId}`)).body.rollups;
    const repositoryOf = (api: number) => apis[api].app.get(LeadsRepository);
    const databaseDown = () => new mongo.MongoNetworkError('connection reset while writing the rollup');

    afterEach(() => jest.restoreAllMocks());

    it('is counted once when the client retries it, on either API, as often as it likes', async () => {
      const userId = `lost-${randomUUID()}`;
      const batch = batchOf(userId);
      jest.spyOn(repositoryOf(0), 'applyRollups').mockRejectedValueOnce(databaseDown());

      const failed = await clients[0].post('/v1/batch', { batch });
      const retries = [await clients[1].post('/v1/batch', { batch }), await clients[0].post('/v1/batch', { batch })];

      expect(failed.status).toBe(503);
      expect(await events().countDocuments({ userId })).toBe(5);
      expect(retries.map((reply) => [reply.status, reply.body.duplicates])).toEqual([
        [200, 5],
        [200, 5],
      ]);
      expect(await eventCountOf(userId)).toMatchObject({ eventCount: 5, valueSum: 50 });
    });

    it('is counted once when the rollup landed but the answer was lost, and the client retries', async () => {
      const userId = `answer-lost-${randomUUID()}`;
      const batch = batchOf(userId);
      const repository = repositoryOf(0);
      const apply = repository.applyRollups.bind(repository);
      jest.spyOn(repository, 'applyRollups').mockImplementationOnce(async (rollups) => {
        await apply(rollups);
        throw databaseDown();
      });

      const failed = await clients[0].post('/v1/batch', { batch });
      const retries = await Promise.all([
        clients[0].post('/v1/batch', { batch }),
        clients[1].post('/v1/batch', { batch }),
      ]);

      expect(failed.status).toBe(503);
      expect(retries.map((reply) => reply.status)).toEqual([200, 200]);
      expect(await eventCountOf(userId)).toMatchObject({ eventCount: 5, valueSum: 50 });
    });

    it('is counted once on a lead that remembers its keys in ring slots, as leads written before did', async () => {
      const userId = `ring-${randomUUID()}`;
      const batch = batchOf(userId);
      expect((await clients[0].post('/v1/batch', { batch })).status).toBe(200);
      const { _id, rollupKeys } = (await leads().findOne({ userIds: userId }))!;
      const slots = Object.fromEntries(
        String(rollupKeys)
          .split(' ')
          .map((key, slot) => [String(slot), key]),
      );
      await leads().updateOne({ _id }, { $set: { rollupKeys: slots } });

      const retry = await clients[1].post('/v1/batch', { batch });
      const next = await clients[0].post('/v1/batch', { batch: batchOf(userId).slice(0, 1) });

      expect([retry.status, retry.body.duplicates, next.status]).toEqual([200, 5, 200]);
      expect(await eventCountOf(userId)).toMatchObject({ eventCount: 6, valueSum: 60 });
      const after = (await leads().findOne({ _id }))!;
      expect(after.rollupKeys).toEqual(expect.stringMatching(new RegExp(`^${Object.values(slots)[0]} \\S+$`)));
    });

    it('is counted once when the retry carries only some of its events, beside new ones', async () => {
      const userId = `partial-${randomUUID()}`;
      const batch = batchOf(userId);
      jest.spyOn(repositoryOf(1), 'applyRollups').mockRejectedValueOnce(databaseDown());

      const failed = await clients[1].post('/v1/batch', { batch });
      const retry = await clients[0].post('/v1/batch', {
        batch: [batch[0], track(userId, 'order_completed', new Date(), { revenue: 1 })],
      });

      expect(failed.status).toBe(503);
      expect([retry.status, retry.body.duplicates]).toEqual([200, 1]);
      expect(await eventCountOf(userId)).toMatchObject({ eventCount: 6, valueSum: 51 });
    });
  });
});
