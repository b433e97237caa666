import { randomUUID } from 'node:crypto';
import { useApi } from '../support/tracking';

interface Preview {
  count: number;
  evaluated: number;
  sample: Array<{ leadId: string; traits: Record<string, unknown> }>;
}
interface Analytics {
  segmentId: string;
  members: number;
  lastCalculated: string | null;
  growth: Array<{ date: string; entered: number; exited: number; members: number }>;
}
interface StoredEvent {
  eventType?: string;
  properties?: Record<string, unknown>;
}

/** What a CRM team reads before and after making a segment: a preview, and its analytics. */
describe('segment preview and analytics', () => {
  const nudge = useApi();
  const suffix = () => randomUUID().slice(0, 8);

  /** Tracks events for a new user; answers its userId and lead id. */
  async function leadWith(events: Array<{ event: string; properties?: Record<string, unknown> }>, traits = {}) {
    const userId = `insight-${randomUUID()}`;
    const batch = events.map((event) => ({ type: 'track', userId, messageId: randomUUID(), ...event }));
    const reply = await nudge.client.post('/v1/batch', { batch: [{ type: 'identify', userId, traits }, ...batch] });
    expect(reply.status).toBe(200);
    const lead = await nudge.client.get<{ id: string }>(`/v1/leads/${userId}`);
    return { userId, leadId: lead.body.id };
  }
  const today = () => new Date().toISOString().slice(0, 10);
  const analyticsOf = async (id: string, days = 7) =>
    (await nudge.client.get<Analytics>(`/v1/segments/${id}/analytics?days=${days}`)).body;
  const eventsOf = async (userId: string) =>
    (await nudge.client.get<{ events: StoredEvent[] }>(`/v1/leads/${userId}/events?limit=100`)).body.events;

  it('previews criteria: the count and a sample of the leads it holds, saving nothing', async () => {
    const order = `order_${suffix()}`;
    const twoOrders = await leadWith([
      { event: order, properties: { revenue: 100 } },
      { event: order, properties: { revenue: 150 } },
    ]);
    const bigOrder = await leadWith([{ event: order, properties: { revenue: 500 } }], { plan: 'pro' });
    await leadWith([{ event: order, properties: { revenue: 20 } }]);
    const segmentsBefore = (await nudge.client.get<{ segments: unknown[] }>('/v1/segments')).body.segments.length;
    const spentAtLeast200 = {
      aggregate: { event: order, fn: 'sum', property: 'revenue', operator: 'greater_than_or_equal', value: 200 },
    };

    const spenders = await nudge.client.admin<Preview>('POST', '/v1/segments/preview', { criteria: spentAtLeast200 });
    const repeat = await nudge.client.admin<Preview>('POST', '/api/behavior/segments/preview', {
      criteria: { and: [spentAtLeast200, { performed: { event: order, minCount: 2 } }] },
      sampleSize: 1,
    });

    expect(spenders.status).toBe(200);
    expect(spenders.body.count).toBe(2);
    expect(spenders.body.sample.map(({ leadId }) => leadId).sort()).toEqual([twoOrders.leadId, bigOrder.leadId].sort());
    expect(spenders.body.sample.find(({ leadId }) => leadId === bigOrder.leadId)?.traits).toMatchObject({
      plan: 'pro',
    });
    expect(spenders.body.evaluated).toBeGreaterThanOrEqual(3);
    expect(repeat.body).toMatchObject({ count: 1, sample: [{ leadId: twoOrders.leadId }] });
    expect((await nudge.client.get<{ segments: unknown[] }>('/v1/segments')).body.segments).toHaveLength(
      segmentsBefore,
    );
  });

  it.each([
    [{ criteria: { performed: { minCount: 2 } } }, /^criteria\.performed\.event: is required$/],
    [{ criteria: { performed: { event: 'x' } }, sampleSize: 1000 }, /^sampleSize: /],
    [{}, /^criteria: /],
  ])('refuses a bad preview with a 400 naming the field (%#)', async (body, message) => {
    expect(await nudge.client.admin('POST', '/v1/segments/preview', body)).toMatchObject({
      status: 400,
      body: { error: 'VALIDATION_FAILED', message: expect.stringMatching(message) },
    });
  });

  it("records a static list's moves as segment events and counts them in its daily growth", async () => {
    const [ada, bob, cy] = [await leadWith([]), await leadWith([]), await leadWith([])];
    const id = `listed-${suffix()}`;
    await nudge.client.admin('POST', '/v1/segments', {
      id,
      name: 'Listed',
      type: 'static',
      leadIds: [ada.leadId, bob.leadId],
    });
    await nudge.client.admin('PUT', `/v1/segments/${id}`, { leadIds: [bob.leadId, cy.leadId] });
    // The same list again moves nobody, so records nothing.
    await nudge.client.admin('PUT', `/v1/segments/${id}`, { leadIds: [cy.leadId, bob.leadId] });

    const analytics = await analyticsOf(id);

    expect(analytics).toMatchObject({ segmentId: id, members: 2, lastCalculated: null });
    expect(analytics.growth).toHaveLength(7);
    expect(analytics.growth.at(-1)).toEqual({ date: today(), entered: 3, exited: 1, members: 2 });
    expect(analytics.growth.at(-2)?.members).toBe(0);
    const segmentEvents = (await eventsOf(ada.userId)).filter(({ properties }) => properties?.segmentId === id);
    expect(segmentEvents.map(({ eventType }) => eventType).sort()).toEqual(['segment_entered', 'segment_exited']);
  });

  it('counts a criteria segment’s real-time entries and exits in its growth', async () => {
    const viewed = `viewed_${suffix()}`;
    const id = `once-${suffix()}`;
    const created = await nudge.client.admin('POST', '/v1/segments', {
      id,
      name: 'Viewed once',
      type: 'dynamic',
      criteria: { performed: { event: viewed, maxCount: 1 } },
    });
    expect(created.status).toBe(201);
    const once = await leadWith([{ event: viewed }]);
    await leadWith([{ event: viewed }]);
    // A second view takes the first lead out.
    await nudge.client.post('/v1/track', { userId: once.userId, event: viewed, messageId: randomUUID() });

    const analytics = await analyticsOf(id, 1);

    expect(analytics.members).toBe(1);
    expect(analytics.growth).toEqual([{ date: today(), entered: 2, exited: 1, members: 1 }]);
  });

  it('refuses analytics over more than a year, and of a segment that does not exist', async () => {
    expect(await nudge.client.get(`/v1/segments/nope-${suffix()}/analytics`)).toMatchObject({ status: 404 });
    expect(await nudge.client.get('/v1/segments/any/analytics?days=400')).toMatchObject({
      status: 400,
      body: { message: expect.stringMatching(/^days: /) },
    });
  });
});
