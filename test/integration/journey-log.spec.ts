import { INestApplicationContext } from '@nestjs/common';
import { getConnectionToken } from '@nestjs/mongoose';
import { Test } from '@nestjs/testing';
import { Connection } from 'mongoose';
import { createJourneyLogActivities } from '../../activities/journey-log.activities';
import { ConfigModule } from '../../src/config/config.module';
import { DatabaseModule } from '../../src/database/database.module';
import { formAbandonmentRecovery } from '../../src/journeys/examples/form-abandonment-recovery';
import { executionsQuerySchema } from '../../src/journeys/executions/dto/executions-query.request';
import { JourneyExecutionsModule } from '../../src/journeys/executions/journey-executions.module';
import { JourneyExecutionsService } from '../../src/journeys/executions/journey-executions.service';
import { JourneyLogWriter } from '../../src/journeys/executions/journey-log.writer';
import { JourneysService } from '../../src/journeys/journeys.service';
import type { RunOutcome } from '../../workflows/contracts/journey-run.contract';

describe('journey execution log: record activities and reads (FerretDB)', () => {
  const workspaceId = 'ws_log';
  let app: INestApplicationContext;
  let db: Connection['db'];
  let executions: JourneyExecutionsService;
  let sut: ReturnType<typeof createJourneyLogActivities>;
  let runs = 0;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [ConfigModule, DatabaseModule, JourneyExecutionsModule],
    }).compile();
    app = await moduleRef.init();
    db = app.get<Connection>(getConnectionToken()).db;
    executions = app.get(JourneyExecutionsService);
    sut = createJourneyLogActivities({ journeyLog: app.get(JourneyLogWriter) });
    const journeys = app.get(JourneysService);
    for (const id of ['recovery', 'stats', 'pages', 'empty', 'split']) {
      await journeys.create(workspaceId, formAbandonmentRecovery, id);
    }
  });

  afterAll(async () => {
    await db!.dropDatabase();
    await app.close();
  });

  const minute = (n: number) => new Date(Date.UTC(2026, 2, 1, 9, n)).toISOString();
  const query = (raw: Record<string, unknown> = {}) => executionsQuerySchema.parse(raw);

  /** Starts a run; `steps` are [stepId, result] recorded in order; `end` ends it. */
  async function run(
    journeyId: string,
    leadId: string,
    steps: Array<[string, 'done' | 'skipped' | 'failed' | 'then' | 'else']> = [],
    end?: {
      outcome: RunOutcome;
      converted?: boolean;
      exitReason?: string;
      experimentVariants?: Record<string, string>;
    },
  ): Promise<string> {
    const n = ++runs;
    const ref = { workspaceId, journeyId, leadId, runId: `journey-${journeyId}-${leadId}-${n}` };
    await sut.recordRunStarted({
      ...ref,
      version: 1,
      triggerMessageId: `msg-${n}`,
      triggerType: 'form_abandon',
      at: minute(n),
    });
    for (const [stepId, result] of steps) {
      await sut.recordStep({ ...ref, stepId, type: 'send_email', at: minute(n), result });
    }
    if (end) await sut.recordRunEnded({ ...ref, converted: false, ...end, at: minute(n + 1) });
    return ref.runId;
  }

  it('records a run, its steps and its end once, however often each is recorded', async () => {
    const runId = await run('recovery', 'lead_1');
    const ref = { workspaceId, journeyId: 'recovery', leadId: 'lead_1', runId };
    const step = {
      ...ref,
      stepId: 'recovery-email',
      type: 'send_email',
      at: minute(70),
      result: 'done' as const,
      detail: { deliveryId: 'd-1' },
    };

    await sut.recordRunStarted({
      ...ref,
      version: 1,
      triggerMessageId: 'msg-again',
      triggerType: 'form_abandon',
      at: minute(59),
    });
    await sut.recordStep(step);
    await sut.recordStep({ ...step, result: 'failed', detail: { replayed: true } });
    await sut.recordStep({ ...ref, stepId: 'assign-agent', type: 'assign_agent', at: minute(190), result: 'done' });
    const end = { ...ref, outcome: 'exited' as const, converted: true, exitReason: 'form_submit', at: minute(200) };
    await sut.recordRunEnded(end);
    await sut.recordRunEnded(end);

    const page = await executions.list(workspaceId, 'recovery', query());
    expect(page).toEqual({
      executions: [
        {
          runId,
          journeyId: 'recovery',
          version: 1,
          leadId: 'lead_1',
          triggerMessageId: `msg-${runs}`,
          triggerType: 'form_abandon',
          status: 'exited',
          converted: true,
          exitReason: 'form_submit',
          enteredAt: new Date(minute(runs)),
          endedAt: new Date(minute(200)),
          steps: [
            {
              stepId: 'recovery-email',
              type: 'send_email',
              at: new Date(minute(70)),
              result: 'done',
              detail: { deliveryId: 'd-1' },
            },
            { stepId: 'assign-agent', type: 'assign_agent', at: new Date(minute(190)), result: 'done' },
          ],
        },
      ],
      nextCursor: null,
    });
    expect(await db!.collection('journey_runs').countDocuments({ _id: runId as never })).toBe(1);
  });

  it('files a step under the run its RunRef names, without looking the run up', async () => {
    const ref = {
      workspaceId: 'ws_other',
      journeyId: 'elsewhere',
      leadId: 'lead_9',
      runId: 'journey-elsewhere-lead_9-1',
    };

    await sut.recordStep({ ...ref, stepId: 's', type: 'wait', at: minute(1), result: 'done' });

    expect(await db!.collection('journey_step_logs').find({ runId: ref.runId }).toArray()).toEqual([
      expect.objectContaining({ workspaceId: 'ws_other', journeyId: 'elsewhere', leadId: 'lead_9', stepId: 's' }),
    ]);
    expect(await db!.collection('journey_runs').countDocuments({ _id: ref.runId as never })).toBe(0);
  });

  it("counts a journey's entries, outcomes, conversions and step results", async () => {
    await run('stats', 'lead_1', [['recovery-email', 'done']], { outcome: 'completed', converted: true });
    await run('stats', 'lead_2', [['recovery-email', 'skipped']], { outcome: 'completed' });
    await run('stats', 'lead_3', [['recovery-email', 'done']], { outcome: 'exited', converted: true });
    await run('stats', 'lead_4', [['recovery-email', 'failed']], { outcome: 'failed' });
    await run('stats', 'lead_5', [['recovery-email', 'done']]);
    await run('stats', 'lead_6');
    await run('recovery', 'lead_7', [['recovery-email', 'done']], { outcome: 'completed', converted: true });

    expect(await executions.stats(workspaceId, 'stats')).toEqual({
      entered: 6,
      running: 2,
      completed: 2,
      exited: 1,
      failed: 1,
      converted: 2,
      steps: { 'recovery-email': { done: 3, skipped: 1, failed: 1 } },
      experiments: {},
    });
    expect(await executions.stats(workspaceId, 'empty')).toEqual({
      entered: 0,
      running: 0,
      completed: 0,
      exited: 0,
      failed: 0,
      converted: 0,
      steps: {},
      experiments: {},
    });
  });

  it('attributes runs and conversions to the experiment variants they took', async () => {
    const took = (variants: Record<string, string>, converted: boolean, outcome: RunOutcome = 'completed') => ({
      outcome,
      converted,
      experimentVariants: variants,
    });
    await run('split', 'lead_v1', [], took({ cta: 'short', hero: 'video' }, true));
    await run('split', 'lead_v2', [], took({ cta: 'short' }, false));
    await run('split', 'lead_v3', [], took({ cta: 'long' }, true));
    await run('split', 'lead_v4', [], { ...took({ cta: 'holdout' }, true, 'exited'), exitReason: 'holdout' });
    await run('split', 'lead_v5', [], { outcome: 'completed', converted: true });

    expect((await executions.stats(workspaceId, 'split')).experiments).toEqual({
      cta: { short: { runs: 2, converted: 1 }, long: { runs: 1, converted: 1 }, holdout: { runs: 1, converted: 1 } },
      hero: { video: { runs: 1, converted: 1 } },
    });
  });

  it('pages runs newest first with a cursor, and filters by lead and status', async () => {
    const ids: string[] = [];
    for (const lead of ['lead_a', 'lead_b', 'lead_a', 'lead_c', 'lead_a']) ids.push(await run('pages', lead));
    const first0 = { workspaceId, journeyId: 'pages', leadId: 'lead_a', runId: ids[0] };
    await sut.recordRunEnded({ ...first0, outcome: 'completed', converted: false, at: minute(300) });

    const first = await executions.list(workspaceId, 'pages', query({ limit: '2' }));
    const second = await executions.list(workspaceId, 'pages', query({ limit: '2', cursor: first.nextCursor }));
    const third = await executions.list(workspaceId, 'pages', query({ limit: '2', cursor: second.nextCursor }));

    const runIds = (page: typeof first) => page.executions.map((execution) => execution.runId);
    expect([...runIds(first), ...runIds(second), ...runIds(third)]).toEqual([...ids].reverse());
    expect(third.nextCursor).toBeNull();
    expect(runIds(await executions.list(workspaceId, 'pages', query({ status: 'completed' })))).toEqual([ids[0]]);
    await db!.collection('leads').insertOne({ _id: 'lead_a' as never, workspaceId, traits: {}, createdAt: new Date() });
    expect(runIds(await executions.list(workspaceId, 'pages', query({ leadId: 'lead_a' })))).toEqual([
      ids[4],
      ids[2],
      ids[0],
    ]);
  });

  it("shapes runs as the spec's TriggerExecution", async () => {
    const runId = await run('empty', 'lead_t', [['recovery-email', 'done']], { outcome: 'completed', converted: true });

    const { executions: list } = await executions.listAsTriggerExecutions(workspaceId, 'empty', query());

    expect(list).toEqual([
      {
        id: runId,
        triggerId: 'empty',
        leadId: 'lead_t',
        executedAt: new Date(minute(runs)),
        actions: [{ id: 'recovery-email', action: 'send_email', result: 'done', executedAt: new Date(minute(runs)) }],
        context: {
          version: 1,
          triggerMessageId: `msg-${runs}`,
          triggerType: 'form_abandon',
          status: 'completed',
          converted: true,
          endedAt: new Date(minute(runs + 1)),
        },
      },
    ]);
  });
});
