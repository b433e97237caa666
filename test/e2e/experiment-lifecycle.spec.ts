import { randomUUID } from 'node:crypto';
import { experimentStateQuery, experimentWorkflowId } from '../../workflows/contracts/experiment.contract';
import { useWorker } from '../support/worker';
import { eventually } from '../support/journey-fixtures';
import { useApi } from '../support/tracking';

interface Experiment {
  id: string;
  status: string;
  statusReason?: string;
  lastAnalysis?: { verdict: string; srmMismatch: boolean; canStopEarly: boolean; leadingVariantId?: string };
}

/** The `experimentWorkflow` on the real worker and Temporal server, driven over REST. */
describe('experiment lifecycle on the worker', () => {
  const nudge = useApi();
  const worker = useWorker();

  const create = async (body: Record<string, unknown>) => {
    const reply = await nudge.client.admin<Experiment>('POST', '/v1/experiments', {
      name: 'Lifecycle',
      variants: [{ name: 'A' }, { name: 'B' }],
      settings: { analyseEveryMinutes: 1 },
      ...body,
    });
    expect(reply.status).toBe(201);
    return reply.body;
  };
  const read = async (id: string) => (await nudge.client.get<Experiment>(`/v1/experiments/${id}`)).body;
  const handleOf = (id: string) =>
    worker.temporal.workflow.getHandle(experimentWorkflowId({ workspaceId: 'dev', experimentId: id }));
  const until = (id: string, predicate: (experiment: Experiment) => boolean) =>
    eventually(async () => {
      const experiment = await read(id);
      return predicate(experiment) && experiment;
    }, 60_000);

  /** Leads exposed by an SDK (experiment_viewed), `converted` of each variant's also signing up. */
  async function expose(experimentId: string, counts: Record<string, { leads: number; converted: number }>) {
    const run = randomUUID().slice(0, 8);
    const batch = Object.entries(counts).flatMap(([variantId, { leads, converted }]) =>
      Array.from({ length: leads }, (_, i) => {
        const userId = `life-${run}-${variantId}-${i}`;
        const viewed = {
          type: 'track',
          userId,
          event: 'experiment_viewed',
          properties: { experimentId, variantId },
          messageId: randomUUID(),
          timestamp: new Date(Date.now() - 60_000).toISOString(),
        };
        const signup = { type: 'track', userId, event: 'signup', messageId: randomUUID() };
        return i < converted ? [viewed, signup] : [viewed];
      }).flat(),
    );
    for (let start = 0; start < batch.length; start += 200)
      expect((await nudge.client.post('/v1/batch', { batch: batch.slice(start, start + 200) })).status).toBe(200);
  }

  it('starts a workflow with the experiment, analyses it, follows pause and resume, and ends when concluded', async () => {
    const experiment = await create({ status: 'running', successMetrics: ['signup'] });
    const handle = handleOf(experiment.id);
    const analysed = await until(experiment.id, (e) => e.lastAnalysis !== undefined);
    expect(analysed.lastAnalysis!.verdict).toMatch(/^Not enough data yet/);
    expect(await handle.query(experimentStateQuery)).toMatchObject({ status: 'running' });

    await nudge.client.admin('PUT', `/v1/experiments/${experiment.id}`, { status: 'paused' });
    await eventually(async () => (await handle.query(experimentStateQuery)).status === 'paused');
    await nudge.client.admin('PUT', `/v1/experiments/${experiment.id}`, { status: 'running' });
    await eventually(async () => (await handle.query(experimentStateQuery)).status === 'running');

    await nudge.client.admin('POST', `/v1/experiments/${experiment.id}/conclude`, { winnerVariantId: 'b' });
    expect(await handle.result()).toMatchObject({ status: 'completed' });
    expect(await read(experiment.id)).toMatchObject({ status: 'completed', winnerVariantId: 'b' });
  });

  it('starts a scheduled experiment at its start', async () => {
    const experiment = await create({
      status: 'scheduled',
      startAt: new Date(Date.now() + 3_000).toISOString(),
      successMetrics: ['signup'],
    });
    expect(experiment.status).toBe('scheduled');
    expect(await until(experiment.id, (e) => e.status === 'running')).toMatchObject({ statusReason: 'started' });
    await nudge.client.admin('POST', `/v1/experiments/${experiment.id}/conclude`, {});
    expect(await handleOf(experiment.id).result()).toMatchObject({ status: 'completed' });
  });

  it('pauses itself when exposures do not follow the weights', async () => {
    const experiment = await create({ successMetrics: ['signup'] });
    await expose(experiment.id, { a: { leads: 260, converted: 0 }, b: { leads: 140, converted: 0 } });
    await nudge.client.admin('PUT', `/v1/experiments/${experiment.id}`, { status: 'running' });
    const paused = await until(experiment.id, (e) => e.status === 'paused');
    expect(paused).toMatchObject({ statusReason: 'srm', lastAnalysis: { srmMismatch: true } });
    await nudge.client.admin('POST', `/v1/experiments/${experiment.id}/conclude`, {});
  });

  it('stops early when the always-valid test allows, with the leading variant recorded', async () => {
    const experiment = await create({ successMetrics: ['signup'] });
    await expose(experiment.id, { a: { leads: 200, converted: 20 }, b: { leads: 200, converted: 110 } });
    await nudge.client.admin('PUT', `/v1/experiments/${experiment.id}`, { status: 'running' });
    const stopped = await until(experiment.id, (e) => e.status === 'completed');
    expect(stopped).toMatchObject({
      statusReason: 'stopped_early',
      lastAnalysis: {
        canStopEarly: true,
        leadingVariantId: 'b',
        verdict: expect.stringMatching(/^B beats A on signup/),
      },
    });
  });
  it('splits a journey by the experiment, with a holdout that receives nothing, and counts each lead once', async () => {
    const experiment = await create({
      status: 'running',
      variants: [
        { id: 'holdout', name: 'Holdout', weight: 0.2, isControl: true },
        { id: 'short', name: 'Short', weight: 0.4 },
        { id: 'long', name: 'Long', weight: 0.4 },
      ],
      successMetrics: ['quote_requested'],
    });
    const journeyId = `exp-journey-${randomUUID().slice(0, 8)}`;
    const trigger = `cta_seen_${randomUUID().slice(0, 8)}`;
    const created = await nudge.client.admin('POST', '/v1/journeys', {
      id: journeyId,
      definition: {
        name: 'CTA follow-up',
        trigger: { event: trigger },
        steps: [
          {
            id: 'split',
            type: 'experiment',
            experimentId: experiment.id,
            holdoutVariantId: 'holdout',
            variants: {
              short: [{ id: 'mark-short', type: 'update_lead', setTraits: { cta: 'short' } }],
              long: [{ id: 'mark-long', type: 'update_lead', setTraits: { cta: 'long' } }],
            },
          },
          { id: 'tag', type: 'update_lead', addTags: ['followed-up'] },
        ],
      },
    });
    expect(created.status).toBe(201);
    expect((await nudge.client.admin('POST', `/v1/journeys/${journeyId}/publish`)).status).toBe(200);
    const userIds = Array.from({ length: 30 }, (_, i) => `cta-${randomUUID().slice(0, 8)}-${i}`);
    for (const userId of userIds)
      await nudge.client.post('/v1/track', { userId, event: trigger, messageId: randomUUID() });

    const taken = new Map<string, number>();
    for (const userId of userIds) {
      const run = await eventually(async () => {
        const page = await nudge.client.get<{ executions: Array<{ status: string; exitReason?: string }> }>(
          `/v1/journeys/${journeyId}/executions?leadId=${userId}`,
        );
        const execution = page.body.executions?.[0];
        return execution && execution.status !== 'running' && execution;
      }, 60_000);
      const lead = (
        await nudge.client.get<{ id: string; traits: Record<string, unknown>; tags: string[] }>(`/v1/leads/${userId}`)
      ).body;
      const { variantId, reason } = (
        await nudge.client.get<{ variantId: string; reason: string }>(
          `/v1/experiments/${experiment.id}/variants/${userId}`,
        )
      ).body;
      expect(reason).toBe('sticky'); // the journey's step assigned it first
      taken.set(variantId, (taken.get(variantId) ?? 0) + 1);
      if (variantId === 'holdout') {
        expect(run).toMatchObject({ status: 'exited', exitReason: 'holdout' });
        expect(lead.traits.cta).toBeUndefined();
        expect(lead.tags).not.toContain('followed-up');
      } else {
        expect(run.status).toBe('completed');
        expect(lead.traits.cta).toBe(variantId);
        expect(lead.tags).toContain('followed-up');
      }
    }
    // The journey's own stats count its runs by the variant they took.
    const stats = await nudge.client.get<{ experiments: Record<string, Record<string, { runs: number }>> }>(
      `/v1/journeys/${journeyId}/stats`,
    );
    const runsByVariant = Object.entries(stats.body.experiments[experiment.id]).map(([v, { runs }]) => [v, runs]);
    expect(Object.fromEntries(runsByVariant)).toEqual(Object.fromEntries(taken));
    const results = (
      await nudge.client.get<{ exposedLeads: number; variants: Array<{ exposures: number }> }>(
        `/v1/experiments/${experiment.id}/results`,
      )
    ).body;
    expect(results.exposedLeads).toBe(userIds.length);
    expect(results.variants.reduce((sum, variant) => sum + variant.exposures, 0)).toBe(userIds.length);
    await nudge.client.admin('POST', `/v1/experiments/${experiment.id}/conclude`, {});
  });
});
