import { randomUUID } from 'node:crypto';
import { assignVariant, bucketRanges } from '../../src/experiments/assignment/allocation';
import { proportionTest } from '../../src/experiments/statistics/frequentist';
import { basic, databaseOf, DEV_WRITE_KEY, useApi } from '../support/tracking';

interface VariantAnswer {
  leadId: string;
  variantId: string;
  variant: { id: string; name: string; content: Record<string, unknown> };
  inExperiment: boolean;
  reason: string;
}
interface Experiment {
  id: string;
  seed: string;
  status: string;
  coverage: number;
  variants: Array<{ id: string; weight: number; isControl: boolean }>;
  startAt?: string;
  endAt?: string;
}
interface Results {
  exposedLeads: number;
  excludedLeads: number;
  srm: { mismatch: boolean; pValue: number };
  enoughData: boolean;
  verdict: string;
  variants: Array<{
    id: string;
    exposures: number;
    metrics: Record<string, { value: number; n: number; vsControl?: { pValue: number; absoluteLift: number } }>;
  }>;
}

/** A CRM team's A/B test over REST, and a website asking for its visitors' variants. */
describe('experiments', () => {
  const nudge = useApi();
  const suffix = () => randomUUID().slice(0, 8);

  /** `count` new leads (identified users); answers their lead ids, in order. */
  async function newLeads(count: number, prefix = `exp-${suffix()}`): Promise<string[]> {
    const userIds = Array.from({ length: count }, (_, i) => `${prefix}-${i}`);
    for (let start = 0; start < count; start += 100) {
      const batch = userIds.slice(start, start + 100).map((userId) => ({ type: 'identify', userId, traits: {} }));
      expect((await nudge.client.post('/v1/batch', { batch })).status).toBe(200);
    }
    const leads = await Promise.all(userIds.map((id) => nudge.client.get<{ id: string }>(`/v1/leads/${id}`)));
    leads.forEach((lead, i) => userIdOf.set(lead.body.id, userIds[i]));
    return leads.map((lead) => lead.body.id);
  }
  const userIdOf = new Map<string, string>();
  const variantOf = (experimentId: string, leadId: string) =>
    nudge.client.get<VariantAnswer>(`/v1/experiments/${experimentId}/variants/${leadId}`);
  const track = (leadId: string, event: string, properties: Record<string, unknown> = {}) =>
    nudge.client.post('/v1/track', { userId: userIdOf.get(leadId), event, properties, messageId: randomUUID() });
  const exposuresOf = (experimentId: string) =>
    databaseOf(nudge.api.app)
      .collection('events')
      .find({ workspaceId: 'dev', eventType: 'experiment_viewed', 'properties.experimentId': experimentId })
      .toArray();

  async function create(body: Record<string, unknown>) {
    const reply = await nudge.client.admin<Experiment>('POST', '/v1/experiments', body);
    expect(reply.status).toBe(201);
    return reply.body;
  }

  it("takes the spec's CreateExperimentRequest on /api/behavior/experiments and serves its variants route", async () => {
    const created = await nudge.client.admin<Experiment>('POST', '/api/behavior/experiments', {
      name: 'Quote Page CTA Test',
      description: 'Test different call-to-action buttons',
      type: 'content',
      hypothesis: 'More specific CTAs will increase quote requests',
      successMetrics: ['quote_requests', 'conversion_rate'],
      targetSegments: [],
      trafficAllocation: {
        total: 100,
        allocationMethod: 'random',
        variants: [
          { name: 'Control', content: { ctaText: 'Get Quote' }, isControl: true, trafficPercentage: 50 },
          { name: 'Variant A', content: { ctaText: 'Get Instant Quote' }, isControl: false, trafficPercentage: 50 },
        ],
      },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      status: 'draft',
      coverage: 1,
      variants: [
        { id: 'control', weight: 0.5, isControl: true },
        { id: 'variant-a', weight: 0.5, isControl: false },
      ],
      primaryMetric: { kind: 'conversion', event: 'quote_requests' },
      guardrailMetrics: [{ kind: 'conversion', event: 'conversion_rate' }],
      settings: { significance: 0.05, minSamplePerVariant: 100, durationDays: 14 },
    });
    const [leadId] = await newLeads(1);

    const draft = await nudge.client.get<VariantAnswer>(
      `/api/behavior/experiments/${created.body.id}/variants/${leadId}`,
    );
    expect(draft.body).toMatchObject({ variantId: 'control', inExperiment: false, reason: 'not_running' });

    const started = await nudge.client.admin<Experiment>('PUT', `/v1/experiments/${created.body.id}`, {
      status: 'running',
    });
    expect(started.status).toBe(200);
    // Started now, ending after the default 14 days.
    const { startAt, endAt } = started.body;
    expect(new Date(endAt!).getTime() - new Date(startAt!).getTime()).toBe(14 * 86_400_000);
    const running = await nudge.client.get<VariantAnswer>(
      `/api/behavior/experiments/${created.body.id}/variants/${leadId}`,
    );
    expect(running.body).toMatchObject({ inExperiment: true, reason: 'assigned' });
  });

  it('assigns deterministically and sticks, with one exposure per lead even when asked at once on two API instances', async () => {
    const experiment = await create({
      name: 'Hero image',
      status: 'running',
      variants: [{ name: 'Control' }, { name: 'Beach' }, { name: 'Mountain' }],
      metrics: { primary: { event: 'signup' } },
    });
    const leads = await newLeads(60);
    const { startApi } = await import('../support/nudge');
    const { trackingClient } = await import('../support/tracking');
    const second = await startApi();
    try {
      const clients = [nudge.client, trackingClient(second.url)];
      // Each lead asked for four times at once, half of it on each API; a website uses its write key.
      const replies = await Promise.all(
        leads.flatMap((leadId) =>
          [0, 1, 2, 3].map((i) =>
            clients[i % 2].get<VariantAnswer>(
              `/v1/experiments/${experiment.id}/variants/${leadId}`,
              i === 3 ? { authorization: basic(DEV_WRITE_KEY) } : {},
            ),
          ),
        ),
      );
      expect(replies.map((reply) => reply.status)).toEqual(Array(replies.length).fill(200));
      const ranges = bucketRanges(3, 1);
      const ids = experiment.variants.map((variant) => variant.id);
      leads.forEach((leadId, i) => {
        const answers = replies.slice(i * 4, i * 4 + 4).map((reply) => reply.body.variantId);
        // The published hash of the experiment's seed and the lead's id, every time.
        expect(answers).toEqual(Array(4).fill(ids[assignVariant(experiment.seed, leadId, ranges)]));
      });
      const exposures = await exposuresOf(experiment.id);
      expect(exposures).toHaveLength(leads.length);
      expect(new Set(exposures.map((event) => event.leadId)).size).toBe(leads.length);
      const again = await variantOf(experiment.id, leads[0]);
      expect(again.body.reason).toBe('sticky');
      expect(await exposuresOf(experiment.id)).toHaveLength(leads.length);
    } finally {
      await second.app.close();
    }
  });

  it('keeps assigned leads when coverage drops, leaves new ones out, and rolls out the winner', async () => {
    const experiment = await create({
      name: 'Ramp',
      status: 'running',
      coverage: 1,
      variants: [{ name: 'Control' }, { name: 'New checkout' }],
      metrics: { primary: { event: 'order_completed' } },
    });
    const [early, ...later] = await newLeads(41);
    const first = (await variantOf(experiment.id, early)).body;
    await nudge.client.admin('PUT', `/v1/experiments/${experiment.id}`, { coverage: 0.2 });

    expect((await variantOf(experiment.id, early)).body).toMatchObject({
      variantId: first.variantId,
      reason: 'sticky',
    });
    const answers = await Promise.all(later.map((leadId) => variantOf(experiment.id, leadId)));
    const outside = answers.filter((reply) => reply.body.reason === 'not_covered');
    expect(outside.length).toBeGreaterThan(20);
    expect(outside.every((reply) => reply.body.variantId === 'control' && !reply.body.inExperiment)).toBe(true);

    const concluded = await nudge.client.admin('POST', `/v1/experiments/${experiment.id}/conclude`, {
      winnerVariantId: 'new-checkout',
    });
    expect(concluded.body).toMatchObject({ status: 'completed', winnerVariantId: 'new-checkout' });
    const exposuresBefore = (await exposuresOf(experiment.id)).length;
    for (const leadId of [early, later[0]])
      expect((await variantOf(experiment.id, leadId)).body).toMatchObject({
        variantId: 'new-checkout',
        inExperiment: false,
        reason: 'concluded',
      });
    expect(await exposuresOf(experiment.id)).toHaveLength(exposuresBefore);
  });

  it('admits only members of its target segment', async () => {
    const segment = `exp-vip-${suffix()}`;
    const created = await nudge.client.admin('POST', '/v1/segments', {
      id: segment,
      name: 'VIP',
      type: 'behavioral',
      criteria: { trait: { field: 'tier', operator: 'equals', value: 'vip' } },
    });
    expect(created.status).toBe(201);
    const experiment = await create({
      name: 'VIP offer',
      status: 'running',
      allocation: { method: 'segment', segments: [segment] },
      variants: [{ name: 'Control' }, { name: 'Offer' }],
      metrics: { primary: { event: 'order_completed' } },
    });
    const userId = `vip-${suffix()}`;
    await nudge.client.post('/v1/identify', { userId, traits: { tier: 'vip' } });
    const [regular] = await newLeads(1);
    const vip = (await nudge.client.get<{ id: string }>(`/v1/leads/${userId}`)).body.id;

    expect((await variantOf(experiment.id, vip)).body).toMatchObject({ inExperiment: true, reason: 'assigned' });
    expect((await variantOf(experiment.id, regular)).body).toMatchObject({
      inExperiment: false,
      reason: 'not_eligible',
    });
  });

  it('admits by behavior: leads whose rollups and traits meet the criteria', async () => {
    const viewed = `pricing_viewed_${suffix()}`;
    const experiment = await create({
      name: 'Pro upsell',
      status: 'running',
      allocation: {
        method: 'behavior',
        criteria: {
          and: [
            { trait: { field: 'plan', operator: 'equals', value: 'pro' } },
            { performed: { event: viewed, minCount: 2 } },
          ],
        },
      },
      variants: [{ name: 'Control' }, { name: 'Annual' }],
      metrics: { primary: { event: 'upgraded' } },
    });
    const [keen, casual] = await newLeads(2);
    for (const leadId of [keen, casual])
      await nudge.client.post('/v1/identify', { userId: userIdOf.get(leadId), traits: { plan: 'pro' } });
    await track(keen, viewed);
    await track(keen, viewed);
    await track(casual, viewed);

    expect((await variantOf(experiment.id, keen)).body).toMatchObject({ inExperiment: true, reason: 'assigned' });
    expect((await variantOf(experiment.id, casual)).body).toMatchObject({
      inExperiment: false,
      reason: 'not_eligible',
    });
  });

  it('measures conversions after each first exposure and excludes leads seen in two variants', async () => {
    const event = `quote_${suffix()}`;
    const experiment = await create({
      name: 'CTA copy',
      status: 'running',
      variants: [{ name: 'Control' }, { name: 'Urgent' }],
      metrics: {
        primary: { event },
        guardrails: [{ kind: 'value', event: 'order_completed', property: 'revenue' }],
      },
    });
    const leads = await newLeads(260);
    // One lead converted before it was ever exposed: that conversion must not count.
    await track(leads[0], event);
    const variants = new Map<string, string>();
    for (const leadId of leads) variants.set(leadId, (await variantOf(experiment.id, leadId)).body.variantId);
    // Urgent converts every 2nd lead, control every 5th.
    const converts = (leadId: string, i: number) => (variants.get(leadId) === 'urgent' ? i % 2 === 0 : i % 5 === 0);
    const expected = { control: { n: 0, conversions: 0 }, urgent: { n: 0, conversions: 0 } };
    const crossed = leads[leads.length - 1];
    for (const [i, leadId] of leads.entries()) {
      if (leadId === crossed) continue;
      const bucket = expected[variants.get(leadId) as 'control' | 'urgent'];
      bucket.n++;
      if (i > 0 && converts(leadId, i)) {
        bucket.conversions++;
        await track(leadId, event);
      }
    }
    // An SDK reported the last lead in the other variant too (a GrowthBook trackingCallback).
    const other = variants.get(crossed) === 'urgent' ? 'control' : 'urgent';
    await track(crossed, 'experiment_viewed', { experimentId: experiment.id, variantId: other });

    const results = await nudge.client.get<Results>(`/v1/experiments/${experiment.id}/results`);

    expect(results.status).toBe(200);
    expect(results.body).toMatchObject({ exposedLeads: leads.length - 1, excludedLeads: 1, enoughData: true });
    const [control, urgent] = results.body.variants;
    expect(control).toMatchObject({ id: 'control', exposures: expected.control.n });
    expect(urgent).toMatchObject({ id: 'urgent', exposures: expected.urgent.n });
    expect(control.metrics.primary).toMatchObject({
      n: expected.control.n,
      value: expected.control.conversions / expected.control.n,
    });
    expect(urgent.metrics.primary.value).toBeCloseTo(expected.urgent.conversions / expected.urgent.n, 12);
    const reference = proportionTest(expected.control, expected.urgent);
    expect(urgent.metrics.primary.vsControl!.pValue).toBeCloseTo(reference.pValue, 12);
    expect(results.body.verdict).toMatch(/^Urgent beats Control on quote_/);
    expect(urgent.metrics['guardrail-1']).toMatchObject({ value: 0 });
  });

  it.each([
    [{ name: 'x', variants: [{ name: 'A' }], metrics: { primary: { event: 'e' } } }, /^variants: /],
    [
      {
        name: 'x',
        variants: [
          { name: 'A', weight: 0.7 },
          { name: 'B', weight: 0.7 },
        ],
        metrics: { primary: { event: 'e' } },
      },
      /^variants: weights must sum to 1/,
    ],
    [{ name: 'x', variants: [{ name: 'A' }, { name: 'B' }] }, /^metrics: is required/],
    [
      { name: 'x', variants: [{ name: 'A' }, { name: 'B' }], metrics: { primary: { kind: 'value', event: 'order' } } },
      /^metrics\.primary\.property: /,
    ],
    [
      { name: 'x', targetSegments: ['all-visitors'], successMetrics: ['e'], variants: [{ name: 'A' }, { name: 'B' }] },
      /^targetSegments\[0\]: no segment has the id "all-visitors"/,
    ],
    [
      {
        name: 'x',
        variants: [{ name: 'A' }, { name: 'B' }],
        successMetrics: ['e'],
        allocation: {
          method: 'behavior',
          criteria: { performed: { event: 'e', window: { inLast: { amount: 7, unit: 'days' } } } },
        },
      },
      /^allocation\.criteria: must be answerable/,
    ],
  ])('refuses a bad experiment with a 400 naming the field (%#)', async (body, message) => {
    expect(await nudge.client.admin('POST', '/v1/experiments', body)).toMatchObject({
      status: 400,
      body: { error: 'VALIDATION_FAILED', message: expect.stringMatching(message) },
    });
  });

  it('refuses a status it cannot move to, an unknown experiment and a blank id', async () => {
    const experiment = await create({ name: 'Flow', variants: [{ name: 'A' }, { name: 'B' }], successMetrics: ['e'] });
    expect(await nudge.client.admin('PUT', `/v1/experiments/${experiment.id}`, { status: 'paused' })).toMatchObject({
      status: 409,
      body: { error: 'EXPERIMENT_INVALID_TRANSITION', message: expect.stringMatching(/^status: a draft experiment/) },
    });
    expect((await variantOf('nope', 'nobody')).body).toMatchObject({ error: 'EXPERIMENT_NOT_FOUND' });
    expect((await variantOf(experiment.id, '%20%20')).body).toMatchObject({
      error: 'VALIDATION_FAILED',
      message: expect.stringMatching(/^leadId: /),
    });
    // A draft takes nobody: a visitor not yet known gets the control, and no lead is made for it.
    const stranger = `stranger-${suffix()}`;
    expect((await variantOf(experiment.id, stranger)).body).toMatchObject({ leadId: null, reason: 'not_running' });
    expect((await nudge.client.get(`/v1/leads/${stranger}`)).status).toBe(404);
  });

  it("assigns a first-time visitor before any event, by its anonymousId, and keeps it on the visitor's lead", async () => {
    const experiment = await create({
      name: 'Landing hero',
      status: 'running',
      variants: [{ name: 'Control' }, { name: 'Video' }],
      metrics: { primary: { event: 'signup' } },
    });
    const anonymousId = `visitor-${suffix()}`;

    const first = await nudge.client.get<VariantAnswer>(`/v1/experiments/${experiment.id}/variants/${anonymousId}`, {
      authorization: basic(DEV_WRITE_KEY),
    });
    expect(first.body).toMatchObject({ inExperiment: true, reason: 'assigned' });
    // The variant a GrowthBook SDK computes for the same seed and id.
    const ids = experiment.variants.map((variant) => variant.id);
    expect(first.body.variantId).toBe(ids[assignVariant(experiment.seed, anonymousId, bucketRanges(2, 1))]);
    await nudge.client.post('/v1/track', { anonymousId, event: 'page_view', messageId: randomUUID() });
    const lead = await nudge.client.get<{ id: string }>(`/v1/leads/${anonymousId}`);
    expect(lead.body.id).toBe(first.body.leadId);
    expect((await variantOf(experiment.id, anonymousId)).body).toMatchObject({
      leadId: first.body.leadId,
      variantId: first.body.variantId,
      reason: 'sticky',
    });
    expect((await exposuresOf(experiment.id)).map((event) => event.leadId)).toEqual([first.body.leadId]);
  });

  it('answers the sample size for a lift, and the lift for a sample size', async () => {
    const size = await nudge.client.get('/v1/experiments/sample-size?baseline=0.2&mde=0.05');
    expect(size.body).toMatchObject({ leadsPerVariant: 1094, alpha: 0.05, power: 0.8 });
    const mde = await nudge.client.get<{ mde: number }>(
      '/v1/experiments/sample-size?baseline=0.2&leadsPerVariant=1094',
    );
    expect(mde.body.mde).toBeCloseTo(0.05, 3);
    expect(await nudge.client.get('/v1/experiments/sample-size?baseline=0.2')).toMatchObject({
      status: 400,
      body: { message: expect.stringMatching(/^mde: /) },
    });
  });
});
