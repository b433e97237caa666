import { randomUUID } from 'node:crypto';
import { formAbandonmentRecovery } from '../../src/journeys/examples/form-abandonment-recovery';
import { JourneyLogWriter } from '../../src/journeys/executions/journey-log.writer';
import { useApi } from '../support/tracking';

interface Execution {
  runId: string;
  leadId: string;
  status: string;
  converted: boolean;
  enteredAt: string;
  endedAt?: string;
  steps: Array<{ stepId: string; type: string; at: string; result: string; detail?: Record<string, unknown> }>;
}

interface Page {
  executions: Execution[];
  nextCursor: string | null;
}

describe('journey executions and stats over REST', () => {
  const nudge = useApi();
  const journeyId = 'form-abandonment-recovery';
  let runs = 0;
  const at = (minute: number) => new Date(Date.UTC(2026, 3, 1, 8, minute)).toISOString();

  let wired = false;

  beforeAll(async () => {
    await nudge.client.admin('POST', '/v1/journeys', { id: journeyId, definition: formAbandonmentRecovery });
    wired = (await nudge.client.get(`/v1/journeys/${journeyId}/stats`)).status !== 404;
  });

  /** What the worker's record activities do for one run of the journey. */
  async function recordRun(leadId: string, outcome?: 'completed' | 'exited', converted = false): Promise<string> {
    // Checked first: Nest would end the whole jest run (process.exit) on a missing provider.
    if (!wired) throw new Error('JourneyExecutionsModule is not imported by AppModule');
    const log = nudge.api.app.get(JourneyLogWriter);
    const n = ++runs;
    const ref = { workspaceId: 'dev', journeyId, leadId, runId: `journey-${journeyId}-${leadId}-${n}` };
    await log.recordRunStarted({
      ...ref,
      version: 1,
      triggerMessageId: randomUUID(),
      triggerType: 'form_abandon',
      at: at(n),
    });
    await log.recordStep({ ...ref, stepId: 'wait-1h', type: 'wait', at: at(n + 60), result: 'done' });
    await log.recordStep({
      ...ref,
      stepId: 'recovery-email',
      type: 'send_email',
      at: at(n + 60),
      result: outcome === 'exited' ? 'skipped' : 'done',
      detail: { deliveryId: `d-${n}` },
    });
    if (outcome) await log.recordRunEnded({ ...ref, outcome, converted, at: at(n + 61) });
    return ref.runId;
  }

  it("lists a journey's runs newest first with their steps, page by page", async () => {
    const userId = `user-${randomUUID()}`;
    await nudge.client.post('/v1/identify', { userId, messageId: randomUUID() });
    const leadId = (await nudge.client.get<{ id: string }>(`/v1/leads/${userId}`)).body.id;
    const first = await recordRun(leadId, 'completed', true);
    const second = await recordRun('lead_other', 'exited');
    const third = await recordRun(leadId);

    const page1 = await nudge.client.get<Page>(`/v1/journeys/${journeyId}/executions?limit=2`);
    const page2 = await nudge.client.get<Page>(
      `/v1/journeys/${journeyId}/executions?limit=2&cursor=${page1.body.nextCursor}`,
    );
    const byUser = await nudge.client.get<Page>(`/v1/journeys/${journeyId}/executions?leadId=${userId}&status=running`);

    expect(page1.status).toBe(200);
    expect(page1.body.executions.map((e) => e.runId)).toEqual([third, second]);
    expect(page2.body).toMatchObject({ executions: [{ runId: first }], nextCursor: null });
    expect(page2.body.executions[0]).toMatchObject({
      leadId,
      status: 'completed',
      converted: true,
      enteredAt: at(1),
      endedAt: at(62),
      steps: [
        { stepId: 'wait-1h', type: 'wait', at: at(61), result: 'done' },
        { stepId: 'recovery-email', type: 'send_email', at: at(61), result: 'done', detail: { deliveryId: 'd-1' } },
      ],
    });
    expect(byUser.body.executions.map((e) => e.runId)).toEqual([third]);
  });

  it('counts entries, outcomes, conversions and step results', async () => {
    const stats = await nudge.client.get(`/v1/journeys/${journeyId}/stats`);

    expect(stats).toMatchObject({
      status: 200,
      body: {
        entered: 3,
        running: 1,
        completed: 1,
        exited: 1,
        failed: 0,
        converted: 1,
        steps: { 'wait-1h': { done: 3 }, 'recovery-email': { done: 2, skipped: 1 } },
      },
    });
  });

  it('answers 404 for an unknown journey', async () => {
    for (const path of ['/v1/journeys/nope/executions', '/v1/journeys/nope/stats']) {
      expect(await nudge.client.get(path)).toMatchObject({ status: 404, body: { error: 'JOURNEY_NOT_FOUND' } });
    }
  });

  it.each([
    ['cursor=garbage', /^cursor: is not a cursor this API returned$/],
    ['status=paused', /^status: /],
    ['limit=0', /^limit: /],
    ['limit=many', /^limit: /],
  ])('answers 400 naming the field for ?%s', async (query, message) => {
    const reply = await nudge.client.get<{ message: string }>(`/v1/journeys/${journeyId}/executions?${query}`);

    expect(reply.status).toBe(400);
    expect(reply.body.message).toMatch(message);
  });
});
