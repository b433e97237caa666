import { createServer, IncomingHttpHeaders } from 'node:http';
import { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { startWorker } from '../support/nudge';
import { useApi } from '../support/tracking';

interface Execution {
  runId: string;
  status: string;
  steps: Array<{ stepId: string; result: string; detail?: Record<string, unknown> }>;
}

/** Event → matcher → lead workflow → journey run on the real worker → these activities → REST. */
describe('a journey handing a lead to sales, through the real worker', () => {
  const nudge = useApi();
  let worker: Awaited<ReturnType<typeof startWorker>>;
  const hooks: Array<{ headers: IncomingHttpHeaders; body: Record<string, unknown> }> = [];
  // The CRM's endpoint fails once, so the retry is seen to carry the same Idempotency-Key.
  const crm = createServer((request, response) => {
    let raw = '';
    request.on('data', (chunk: Buffer) => (raw += chunk.toString()));
    request.on('end', () => {
      hooks.push({ headers: request.headers, body: JSON.parse(raw) });
      response.writeHead(hooks.length === 1 ? 503 : 200).end();
    });
  });

  beforeAll(async () => {
    worker = await startWorker();
    await new Promise<void>((resolve) => crm.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    await worker.stop();
    crm.closeAllConnections();
    await new Promise((resolve) => crm.close(resolve));
  });

  it('marks the lead, assigns the agent of its region, creates their task and notifies the CRM', async () => {
    const url = `http://127.0.0.1:${(crm.address() as AddressInfo).port}/crm`;
    await nudge.client.admin('POST', '/v1/journeys', {
      id: 'handoff',
      definition: {
        name: 'Handoff',
        trigger: { event: 'handoff_requested' },
        steps: [
          { id: 'mark', type: 'update_lead', setTraits: { stage: 'hot' }, addTags: ['handoff'] },
          { id: 'assign', type: 'assign_agent', strategy: 'least_loaded', matchTrait: 'region' },
          { id: 'call', type: 'create_task', title: 'Call back', dueInMinutes: 60 },
          { id: 'notify', type: 'webhook', url, method: 'POST', body: { kind: 'handoff' } },
        ],
      },
    });
    await nudge.client.admin('POST', '/v1/journeys/handoff/publish');
    const userId = `user-${randomUUID()}`;
    await nudge.client.post('/v1/identify', { userId, traits: { region: 'north' }, messageId: randomUUID() });
    await nudge.client.post('/v1/track', { userId, event: 'handoff_requested', messageId: randomUUID() });

    const run = await ended(userId);

    const key = (stepId: string) => `${run.runId}:${stepId}`;
    expect(run).toMatchObject({ status: 'completed' });
    expect(run.steps.map((s) => [s.stepId, s.result])).toEqual([
      ['mark', 'done'],
      ['assign', 'done'],
      ['call', 'done'],
      ['notify', 'done'],
    ]);
    expect(run.steps[1].detail).toEqual({
      status: 'assigned',
      assignmentId: key('assign'),
      agentId: 'ag_dev_avery_quinn',
      agentName: 'Avery Quinn',
    });
    const lead = (await nudge.client.get<{ traits: object; tags: string[] }>(`/v1/leads/${userId}`)).body;
    expect(lead).toMatchObject({
      traits: { region: 'north', stage: 'hot', assignedAgentId: 'ag_dev_avery_quinn' },
      tags: ['handoff'],
    });
    const tasks = (await nudge.client.get<{ tasks: object[] }>(`/v1/tasks?leadId=${userId}`)).body.tasks;
    expect(tasks).toEqual([
      expect.objectContaining({ id: key('call'), title: 'Call back', assignedAgentId: 'ag_dev_avery_quinn' }),
    ]);
    expect(hooks.map((hook) => hook.headers['idempotency-key'])).toEqual([key('notify'), key('notify')]);
    expect(hooks[1].body).toMatchObject({ kind: 'handoff', runId: run.runId, stepId: 'notify' });
    expect((await nudge.client.get('/v1/journeys/handoff/stats')).body).toMatchObject({ entered: 1, completed: 1 });
  });

  /** The lead's run once it has ended; runs take a few workflow tasks, so poll for it. */
  async function ended(userId: string): Promise<Execution> {
    for (let i = 0; i < 150; i++) {
      const page = await nudge.client.get<{ executions: Execution[] }>(
        `/v1/journeys/handoff/executions?leadId=${userId}`,
      );
      const run = page.body.executions?.[0];
      if (run && run.status !== 'running') return run;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error('the run did not end');
  }
});
