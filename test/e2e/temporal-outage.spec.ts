import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Client, Connection } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, ProcessGroup } from '../../tools/stack/processes';
import { startTemporalDevServer } from '../../tools/stack/services';
import { experimentWorkflowId } from '../../workflows/contracts/experiment.contract';
import { ensureTools, InstalledTools } from '../../tools/stack/tools';
import { LeadEventSignal, leadWorkflowId } from '../../workflows/contracts/lead.contract';
import { segmentScheduleId } from '../../workflows/contracts/segment.contract';
import { bearer, databaseOf, DEV_SECRET_KEY, trackingClient } from '../support/tracking';

/**
 * Temporal going away while events arrive: the API keeps accepting and storing them, the
 * signals wait in the outbox, and when Temporal is back every one is delivered, once.
 * Runs on a Temporal dev server of its own (file-backed, so a restart keeps its state).
 */
describe('Temporal briefly down', () => {
  let api: { app: NestFastifyApplication; url: string };
  let tools: InstalledTools;
  let temporal: ProcessGroup;
  let dir: string;
  let port: number;

  const startTemporal = async () => {
    temporal = new ProcessGroup();
    const output = { file: join(dir, 'temporal.log') };
    return startTemporalDevServer(temporal, tools, { port, dbFile: join(dir, 'temporal.db'), output });
  };

  beforeAll(async () => {
    tools = await ensureTools(() => undefined);
    dir = await mkdtemp(join(tmpdir(), 'nudge-temporal-outage-'));
    port = await freePort();
    process.env.TEMPORAL_ADDRESS = await startTemporal();
    const { startApi } = await import('../support/nudge');
    api = await startApi();
  }, 120_000);

  afterAll(async () => {
    await databaseOf(api.app).dropDatabase();
    await api.app.close();
    await temporal.stopAll();
    await rm(dir, { recursive: true, force: true });
  });

  /** A segment's CSV import with Temporal down: the members move before the answer, not in a workflow. */
  async function importsWithoutTemporal(client: ReturnType<typeof trackingClient>, userIds: string[]) {
    const id = `outage-${randomUUID().slice(0, 8)}`;
    expect((await client.admin('POST', '/v1/segments', { id, name: 'Outage', type: 'static' })).status).toBe(201);
    const response = await fetch(`${api.url}/v1/segments/${id}/import`, {
      method: 'POST',
      headers: { authorization: bearer(DEV_SECRET_KEY), 'content-type': 'text/csv' },
      body: ['userId', ...userIds].join('\n'),
    });
    expect({ status: response.status, body: await response.json() }).toMatchObject({
      status: 200,
      body: { membersSync: 'done', leadsFound: userIds.length, entered: userIds.length, leadCount: userIds.length },
    });
  }

  it('accepts and stores events while Temporal is down, and delivers every signal once when it returns', async () => {
    const client = trackingClient(api.url);
    const users = Array.from({ length: 6 }, () => `outage-${randomUUID()}`);
    const abandon = (userId: string, messageId: string) =>
      client.post('/v1/track', {
        userId,
        messageId,
        event: 'form_abandon',
        properties: { formId: 'quote', formCompletion: 30 },
      });
    const outbox = databaseOf(api.app).collection('journey_outbox');
    const drained = async () => {
      for (let i = 0; i < 600 && (await outbox.countDocuments()) > 0; i++) await new Promise((r) => setTimeout(r, 100));
      return outbox.countDocuments();
    };
    await abandon(users[0], `${users[0]}-before`);
    expect(await drained()).toBe(0);

    await temporal.stopAll();
    for (const userId of users) expect((await abandon(userId, `${userId}-during`)).status).toBe(200);
    // A client retry of an accepted event while Temporal is down changes nothing.
    expect((await abandon(users[1], `${users[1]}-during`)).body).toMatchObject({ duplicates: 1 });

    expect(await outbox.countDocuments()).toBe(users.length);
    const stored = await databaseOf(api.app).collection('events').countDocuments({ eventType: 'form_abandon' });
    expect(stored).toBe(users.length + 1);
    await importsWithoutTemporal(client, users);
    // An experiment started meanwhile runs: assignment needs only the database.
    const experiment = await client.admin<{ id: string }>('POST', '/v1/experiments', {
      name: 'Outage',
      status: 'running',
      variants: [{ name: 'A' }, { name: 'B' }],
      successMetrics: ['signup'],
    });
    expect(experiment.status).toBe(201);
    const assigned = await client.get(`/v1/experiments/${experiment.body.id}/variants/${users[0]}`);
    expect(assigned.body).toMatchObject({ inExperiment: true, reason: 'assigned' });
    // A dynamic segment made meanwhile is made, and its members counted in real time.
    const segmentId = `outage-${randomUUID().slice(0, 8)}`;
    const segment = await client.admin('POST', '/v1/segments', {
      id: segmentId,
      name: 'Outage abandoners',
      type: 'dynamic',
      criteria: { performed: { event: 'page_view' } },
    });
    expect(segment.status).toBe(201);
    expect((await client.post('/v1/page', { userId: users[2], name: 'Pricing' })).status).toBe(200);
    const members = await client.get<{ segments: Array<{ segmentId: string }> }>(`/v1/leads/${users[2]}/segments`);
    expect(members.body.segments.map((s) => s.segmentId)).toContain(segmentId);

    await startTemporal();
    expect(await drained()).toBe(0);

    const temporalClient = new Client({ connection: await Connection.connect({ address: `127.0.0.1:${port}` }) });
    try {
      for (const [index, userId] of users.entries()) {
        const lead = await client.get<{ id: string }>(`/v1/leads/${userId}`);
        const history = await temporalClient.workflow.getHandle(leadWorkflowId(lead.body.id)).fetchHistory();
        const converter = temporalClient.options.loadedDataConverter.payloadConverter;
        const messageIds = (history.events ?? []).flatMap((e) =>
          (e.workflowExecutionSignaledEventAttributes?.input?.payloads ?? []).map(
            (p) => converter.fromPayload<LeadEventSignal>(p).event.messageId,
          ),
        );
        const expected = [...(index === 0 ? [`${userId}-before`] : []), `${userId}-during`];
        expect(messageIds.map((id) => id.split(':').pop())).toEqual(expected);
      }
      // The segment's Schedule, which could not be made during the outage, is made at its next change.
      expect((await client.admin('PUT', `/v1/segments/${segmentId}`, { recalculateEveryMinutes: 30 })).status).toBe(
        200,
      );
      const schedule = await temporalClient.schedule
        .getHandle(segmentScheduleId({ workspaceId: 'dev', segmentId }))
        .describe();
      expect(schedule.spec.intervals).toMatchObject([{ every: 30 * 60_000 }]);
      // Its lifecycle workflow, which could not start during the outage, starts at its next change.
      await client.admin('PUT', `/v1/experiments/${experiment.body.id}`, { coverage: 0.9 });
      const workflowId = experimentWorkflowId({ workspaceId: 'dev', experimentId: experiment.body.id });
      expect((await temporalClient.workflow.getHandle(workflowId).describe()).status.name).toBe('RUNNING');
    } finally {
      await temporalClient.connection.close();
    }
  }, 120_000);
});
