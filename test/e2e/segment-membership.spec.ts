import { randomUUID } from 'node:crypto';
import { segmentScheduleId } from '../../workflows/contracts/segment.contract';
import { useWorker } from '../support/worker';
import { databaseOf, useApi } from '../support/tracking';

interface Segment {
  id: string;
  leadCount: number;
  lastCalculated: string | null;
  lastCalculation?: { evaluated: number; entered: number; exited: number; members: number };
  schedule?: { scheduleId: string; everyMinutes: number } | null;
}
interface StoredEvent {
  event?: string;
  eventType?: string;
  properties?: Record<string, unknown>;
}

/**
 * Criteria segments end to end: real-time membership after each batch, the Schedule and its
 * recalculation on the real worker (time windows expiring, older events backfilled), and
 * the segment events journeys start on.
 */
describe('criteria segments: real-time membership, recalculation and segment events', () => {
  const nudge = useApi();
  const worker = useWorker();

  const newUser = () => `member-${randomUUID()}`;
  const track = async (userId: string, event: string, properties: Record<string, unknown> = {}, timestamp?: Date) => {
    const reply = await nudge.client.post('/v1/track', {
      userId,
      event,
      properties,
      messageId: randomUUID(),
      ...(timestamp && { timestamp: timestamp.toISOString() }),
    });
    expect(reply.status).toBe(200);
  };
  const segmentsOf = async (userId: string) =>
    (
      await nudge.client.get<{ segments: Array<{ segmentId: string }> }>(`/v1/leads/${userId}/segments`)
    ).body.segments.map(({ segmentId }) => segmentId);
  const eventsOf = async (userId: string) =>
    (await nudge.client.get<{ events: StoredEvent[] }>(`/v1/leads/${userId}/events?limit=100`)).body.events;
  const createSegment = async (criteria: unknown, extra: Record<string, unknown> = {}) => {
    const id = `seg-${randomUUID().slice(0, 8)}`;
    const created = await nudge.client.admin<Segment>('POST', '/v1/segments', {
      id,
      name: `Segment ${id}`,
      type: 'dynamic',
      criteria,
      ...extra,
    });
    if (created.status !== 201) throw new Error(`segment not created: ${JSON.stringify(created.body)}`);
    return created.body;
  };
  /** Polls until `check` holds (recalculation runs on the worker, after the request). */
  async function eventually<T>(read: () => Promise<T>, check: (value: T) => boolean): Promise<T> {
    let value = await read();
    for (let i = 0; i < 150 && !check(value); i++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      value = await read();
    }
    expect(check(value)).toBe(true);
    return value;
  }
  const recalculated = (id: string, after: string | null) =>
    eventually(
      async () => (await nudge.client.get<Segment>(`/v1/segments/${id}`)).body,
      (segment) => segment.lastCalculated !== null && segment.lastCalculated !== after,
    );

  it('takes a lead in as its event arrives, and records segment_entered on it once', async () => {
    const segment = await createSegment({
      performed: { event: 'quote_request', where: [{ property: 'plan', operator: 'equals', value: 'pro' }] },
    });
    const [pro, free] = [newUser(), newUser()];

    await track(pro, 'quote_request', { plan: 'pro' });
    await track(free, 'quote_request', { plan: 'free' });

    expect(await segmentsOf(pro)).toContain(segment.id);
    expect(await segmentsOf(free)).not.toContain(segment.id);
    await track(pro, 'quote_request', { plan: 'pro' }); // still a member: no second event
    const entered = (await eventsOf(pro)).filter((event) => event.event === 'segment_entered');
    expect(entered).toEqual([
      expect.objectContaining({ properties: { segmentId: segment.id, segmentName: `Segment ${segment.id}` } }),
    ]);
    expect((await nudge.client.get<Segment>(`/v1/segments/${segment.id}`)).body.leadCount).toBe(1);
  });

  it('lets a lead out when a NOT turns false, with segment_exited', async () => {
    const segment = await createSegment({
      and: [{ performed: { event: 'page_view' } }, { not: { performed: { event: 'purchase' } } }],
    });
    const userId = newUser();

    await track(userId, 'page_view');
    expect(await segmentsOf(userId)).toContain(segment.id);
    await track(userId, 'purchase');

    expect(await segmentsOf(userId)).not.toContain(segment.id);
    const changes = (await eventsOf(userId)).filter((event) => event.event?.startsWith('segment_'));
    expect(changes.map((event) => event.event).sort()).toEqual(['segment_entered', 'segment_exited']);
  });

  it('has a Schedule on the Temporal server that starts the segment workflow, overlap skipped', async () => {
    const segment = await createSegment({ performed: { event: 'page_view' } }, { recalculateEveryMinutes: 15 });

    expect(segment.schedule).toEqual({
      scheduleId: segmentScheduleId({ workspaceId: 'dev', segmentId: segment.id }),
      everyMinutes: 15,
    });
    const described = await worker.temporal.schedule.getHandle(segment.schedule!.scheduleId).describe();
    expect(described.action).toMatchObject({ type: 'startWorkflow', workflowType: 'segmentRecalculationWorkflow' });
    expect(described.spec.intervals).toMatchObject([{ every: 15 * 60_000 }]);
    expect(described.policies.overlap).toBe('SKIP');

    await nudge.client.admin('PUT', `/v1/segments/${segment.id}`, { status: 'inactive' });
    await expect(worker.temporal.schedule.getHandle(segment.schedule!.scheduleId).describe()).rejects.toThrow(
      /not found/i,
    );
  });

  it('takes a lead out on recalculation once its event falls out of the window', async () => {
    const segment = await createSegment({
      performed: { event: 'demo_booked', window: { inLast: { amount: 1, unit: 'minutes' } } },
    });
    const first = await recalculated(segment.id, null); // the run its creation starts
    const userId = newUser();
    const bookedAt = new Date(Date.now() - 55_000);

    await track(userId, 'demo_booked', {}, bookedAt);
    expect(await segmentsOf(userId)).toContain(segment.id);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, bookedAt.getTime() + 60_500 - Date.now())));
    expect((await nudge.client.admin('POST', `/v1/segments/${segment.id}/recalculate`)).status).toBe(202);

    const after = await recalculated(segment.id, first.lastCalculated);
    expect(await segmentsOf(userId)).not.toContain(segment.id);
    expect(after.lastCalculation).toMatchObject({ exited: 1, members: 0 });
    expect((await eventsOf(userId)).map((event) => event.event)).toContain('segment_exited');
  });

  it('backfills events tracked before the segment existed, summing an order property', async () => {
    const [big, small] = [newUser(), newUser()];
    await track(big, 'order_completed', { orderId: randomUUID(), revenue: 120 });
    await track(big, 'order_completed', { orderId: randomUUID(), revenue: 90 });
    await track(small, 'order_completed', { orderId: randomUUID(), revenue: 50 });

    const segment = await createSegment({
      aggregate: {
        event: 'order_completed',
        fn: 'sum',
        property: 'revenue',
        operator: 'greater_than_or_equal',
        value: 200,
        window: { inLast: { amount: 30, unit: 'days' } },
      },
    });

    const calculated = await recalculated(segment.id, null);
    expect(await segmentsOf(big)).toContain(segment.id);
    expect(await segmentsOf(small)).not.toContain(segment.id);
    expect(calculated.lastCalculation).toMatchObject({ entered: 1 });
  });

  it('answers all-time counts and traits from the rollups: leads from before the segment are members after its first run', async () => {
    const [twice, once, freeTwice] = [newUser(), newUser(), newUser()];
    const plan = (userId: string, value: string) =>
      nudge.client.post('/v1/identify', { userId, traits: { plan: value }, messageId: randomUUID() });
    for (const userId of [twice, once, freeTwice]) await plan(userId, userId === freeTwice ? 'free' : 'pro');
    const demo = `demo_${randomUUID().slice(0, 8)}`;
    for (const userId of [twice, twice, once, freeTwice, freeTwice]) await track(userId, demo);

    const segment = await createSegment({
      and: [
        { performed: { event: demo, minCount: 2 } },
        { trait: { field: 'plan', operator: 'equals', value: 'pro' } },
      ],
    });
    const calculated = await recalculated(segment.id, null);

    expect(calculated.lastCalculation).toMatchObject({ entered: 1, members: 1 });
    expect(await segmentsOf(twice)).toContain(segment.id);
    expect(await segmentsOf(once)).not.toContain(segment.id);
    expect(await segmentsOf(freeTwice)).not.toContain(segment.id);
    // In real time from then on, from the rollups the batch itself wrote.
    await track(once, demo);
    expect(await segmentsOf(once)).toContain(segment.id);
    await plan(twice, 'free');
    expect(await segmentsOf(twice)).not.toContain(segment.id);
    const stored = await databaseOf(nudge.api.app)
      .collection('segment_members')
      .findOne({ segmentId: segment.id, member: true });
    expect(stored).toMatchObject({ events: [] });
  });

  it('starts a journey on segment_entered', async () => {
    const segment = await createSegment({ performed: { event: 'pricing_viewed', minCount: 2 } });
    const journeyId = `welcome-${segment.id}`;
    await nudge.client.admin('POST', '/v1/journeys', {
      id: journeyId,
      definition: {
        name: 'Welcome to the segment',
        trigger: {
          event: 'segment_entered',
          conditions: [{ source: 'event', field: 'segmentId', operator: 'equals', value: segment.id }],
        },
        steps: [{ id: 'mark', type: 'update_lead', addTags: ['pricing-curious'] }],
      },
    });
    await nudge.client.admin('POST', `/v1/journeys/${journeyId}/publish`);
    const userId = newUser();

    await track(userId, 'pricing_viewed');
    await track(userId, 'pricing_viewed');

    const lead = await eventually(
      async () => (await nudge.client.get<{ tags: string[] }>(`/v1/leads/${userId}`)).body,
      (found) => found.tags?.includes('pricing-curious'),
    );
    expect(lead.tags).toContain('pricing-curious');
  });

  it('enters a journey only for leads in its targetSegments, counting the membership the same event makes', async () => {
    const segment = await createSegment({
      performed: { event: 'plan_compared', where: [{ property: 'plan', operator: 'equals', value: 'pro' }] },
    });
    const journeyId = `pro-${segment.id}`;
    await nudge.client.admin('POST', '/v1/journeys', {
      id: journeyId,
      definition: {
        name: 'Pro plan follow-up',
        trigger: { event: 'plan_compared' },
        targetSegments: [segment.id],
        steps: [{ id: 'mark', type: 'update_lead', addTags: ['pro-curious'] }],
      },
    });
    await nudge.client.admin('POST', `/v1/journeys/${journeyId}/publish`);
    const [free, pro] = [newUser(), newUser()];
    const tagsOf = async (userId: string) =>
      (await nudge.client.get<{ tags?: string[] }>(`/v1/leads/${userId}`)).body.tags ?? [];

    await track(free, 'plan_compared', { plan: 'free' });
    await track(pro, 'plan_compared', { plan: 'pro' });

    await eventually(
      () => tagsOf(pro),
      (tags) => tags.includes('pro-curious'),
    );
    expect(await segmentsOf(free)).not.toContain(segment.id);
    expect(await tagsOf(free)).not.toContain('pro-curious');
  });

  it('creates a segment from a suggested behavior, which holds the shoppers it describes', async () => {
    const { body: listed } = await nudge.client.get<{ templates: Array<{ id: string }> }>('/v1/segment-templates');
    expect(listed.templates.map(({ id }) => id)).toEqual([
      'comfort-seekers',
      'quality-enthusiasts',
      'value-hunters',
      'trend-followers',
      'loyal-regulars',
    ]);
    const id = `value-hunters-${randomUUID().slice(0, 8)}`;
    const applied = await nudge.client.admin<Segment & { type: string; name: string }>(
      'POST',
      '/v1/segment-templates/value-hunters',
      { id },
    );
    expect(applied).toMatchObject({ status: 201, body: { id, type: 'behavioral', name: 'Value Hunters' } });
    const [hunter, payer] = [newUser(), newUser()];
    const order = (coupon?: string) => ({ orderId: randomUUID(), revenue: 40, ...(coupon && { coupon }) });

    for (const coupon of ['SPRING', 'VIP', undefined]) await track(hunter, 'Order Completed', order(coupon));
    for (const coupon of ['SPRING', undefined, undefined]) await track(payer, 'Order Completed', order(coupon));

    expect(await segmentsOf(hunter)).toContain(id);
    expect(await segmentsOf(payer)).not.toContain(id);
    expect(await nudge.client.admin('POST', '/v1/segment-templates/bargain-lovers')).toMatchObject({
      status: 404,
      body: { message: expect.stringMatching(/^templateId: /) },
    });
  });

  it.each([
    // Property conditions: evaluated over the events the segment keeps, all 12 of them.
    ['its kept events', { where: [{ property: 'room', operator: 'exists' }] }, 12],
    // All-time count: one query over the lead's rollups, which keeps no events.
    ['its rollups', {}, 0],
  ])(
    'keeps one membership and one segment_entered when two API instances take the same lead at once, over %s',
    async (_, filter, kept) => {
      const { startApi } = await import('../support/nudge');
      const { trackingClient } = await import('../support/tracking');
      const second = await startApi();
      try {
        const segment = await createSegment({ performed: { event: 'webinar_joined', minCount: 3, ...filter } });
        const userId = newUser();
        await track(userId, 'signup');
        const clients = [nudge.client, trackingClient(second.url)];

        const replies = await Promise.all(
          Array.from({ length: 12 }, (_, i) =>
            clients[i % 2].post('/v1/track', {
              userId,
              event: 'webinar_joined',
              properties: { room: 'main' },
              messageId: randomUUID(),
            }),
          ),
        );

        expect(replies.map((reply) => reply.status)).toEqual(Array(12).fill(200));
        const leadId = (await nudge.client.get<{ id: string }>(`/v1/leads/${userId}`)).body.id;
        const membership = await databaseOf(nudge.api.app)
          .collection('segment_members')
          .findOne({ _id: `dev:${segment.id}:${leadId}` as never });
        expect(membership).toMatchObject({ member: true, entries: 1 });
        expect(membership!.events).toHaveLength(kept);
        // Other tests' segments may take this lead too; only this segment's entry counts here.
        const entered = (await eventsOf(userId)).filter(
          (event) => event.event === 'segment_entered' && event.properties?.segmentId === segment.id,
        );
        expect(entered).toHaveLength(1);
      } finally {
        await second.app.close();
      }
    },
  );
});
