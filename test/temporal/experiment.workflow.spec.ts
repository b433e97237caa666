import type { WorkflowHandle } from '@temporalio/client';
import type {
  AnalysisSummary,
  ExperimentActivities,
  LifecycleStatus,
} from '../../workflows/contracts/experiment.contract';
import {
  concludeExperimentSignal,
  EXPERIMENT_WORKFLOW,
  experimentChangedSignal,
  pauseExperimentSignal,
  resumeExperimentSignal,
  experimentStateQuery,
  type ExperimentWorkflow,
  experimentWorkflowId,
} from '../../workflows/contracts/experiment.contract';
import { saveHistory } from '../support/histories';
import { eventually, journeyWorker, MINUTE, useJourneyTestServer } from '../support/journey-fixtures';

const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * The experiment document, in memory: the workflow's activities read and move its status as
 * the real ones do (conditionally), and the test changes it as the API would.
 */
function fakeExperiment(
  startAt: number,
  endAt: number,
  analyse: (at: number) => Partial<AnalysisSummary> = () => ({}),
) {
  const doc = { status: 'scheduled' as LifecycleStatus };
  const moves: Array<{ to: LifecycleStatus; reason: string; at: number }> = [];
  const analyses: number[] = [];
  const activities: ExperimentActivities = {
    getExperimentPlan: () =>
      Promise.resolve({
        status: doc.status,
        startAt: new Date(startAt).toISOString(),
        endAt: new Date(endAt).toISOString(),
        analyseEveryMinutes: 60,
      }),
    moveExperimentStatus: ({ from, to, reason, at }) => {
      if (from.includes(doc.status)) {
        doc.status = to;
        moves.push({ to, reason, at: Date.parse(at) });
      }
      return Promise.resolve(doc.status);
    },
    concludeExperiment: ({ winnerVariantId, at }) => {
      if (['scheduled', 'running', 'paused'].includes(doc.status)) {
        doc.status = 'completed';
        moves.push({ to: 'completed', reason: `concluded:${winnerVariantId}`, at: Date.parse(at) });
      }
      return Promise.resolve(doc.status);
    },
    analyseExperimentResults: ({ at }) => {
      analyses.push(Date.parse(at));
      return Promise.resolve({
        at,
        exposedLeads: 1000,
        srmMismatch: false,
        enoughData: true,
        canStopEarly: false,
        verdict: 'No significant difference yet.',
        ...analyse(Date.parse(at)),
      });
    },
  };
  return { doc, moves, analyses, activities };
}

describe('experimentWorkflow across a 14-day experiment (time-skipping server)', () => {
  const server = useJourneyTestServer();
  let taskQueue: string;
  beforeEach(() => {
    taskQueue = `experiment-${Math.random().toString(36).slice(2)}`;
  });

  async function start(
    fake: ReturnType<typeof fakeExperiment>,
    test: (handle: WorkflowHandle<ExperimentWorkflow>) => Promise<void>,
  ) {
    const worker = await journeyWorker(server.env, server.workflowBundle, taskQueue, fake.activities);
    const ref = { workspaceId: 'dev', experimentId: taskQueue };
    await worker.runUntil(async () => {
      const handle = await server.client.workflow.start<ExperimentWorkflow>(EXPERIMENT_WORKFLOW, {
        taskQueue,
        workflowId: experimentWorkflowId(ref),
        args: [ref],
      });
      await test(handle);
    });
  }
  /** The workflow's state once it has completed; time moves only by the test's env.sleep. */
  const completed = (handle: WorkflowHandle<ExperimentWorkflow>) =>
    eventually(async () => {
      const state = await handle.query(experimentStateQuery);
      return state.status === 'completed' && state;
    });
  const now = async () => await server.env.currentTimeMs();

  it('waits for the scheduled start, analyses hourly, and completes at the end date', async () => {
    const startAt = (await now()) + 2 * DAY;
    const fake = fakeExperiment(startAt, startAt + 14 * DAY);
    await start(fake, async (handle) => {
      await server.env.sleep(DAY);
      expect(await handle.query(experimentStateQuery)).toMatchObject({ status: 'scheduled', analyses: 0 });
      await server.env.sleep(15 * DAY + HOUR);
      expect(await completed(handle)).toMatchObject({ reason: 'ended' });
    });
    expect(fake.moves.map(({ to, reason }) => [to, reason])).toEqual([
      ['running', 'started'],
      ['completed', 'ended'],
    ]);
    expect(fake.moves[0].at).toBeGreaterThanOrEqual(startAt);
    expect(fake.moves[0].at).toBeLessThan(startAt + MINUTE);
    expect(fake.moves[1].at).toBeGreaterThanOrEqual(startAt + 14 * DAY);
    // Hourly over 14 days, the first at the start and the last at the end.
    expect(fake.analyses.length).toBeGreaterThanOrEqual(14 * 24);
    expect(fake.analyses.length).toBeLessThanOrEqual(14 * 24 + 2);
  });

  it('stops early at the first analysis the sequential test allows', async () => {
    const startAt = await now();
    const fake = fakeExperiment(startAt, startAt + 14 * DAY, (at) => ({ canStopEarly: at >= startAt + 5 * DAY }));
    await start(fake, async (handle) => {
      await server.env.sleep(6 * DAY);
      expect(await completed(handle)).toMatchObject({ reason: 'stopped_early' });
    });
    expect(fake.moves.at(-1)).toMatchObject({ to: 'completed', reason: 'stopped_early' });
    expect(fake.moves.at(-1)!.at - startAt).toBeGreaterThanOrEqual(5 * DAY);
    expect(fake.moves.at(-1)!.at - startAt).toBeLessThan(5 * DAY + HOUR + MINUTE);
  });

  it('pauses itself on a sample-ratio mismatch, analyses nothing while paused, and resumes when the API says so', async () => {
    const startAt = await now();
    let srmUntil = Infinity;
    const fake = fakeExperiment(startAt, startAt + 14 * DAY, (at) => ({
      srmMismatch: at >= startAt + 3 * DAY && at < srmUntil,
    }));
    await start(fake, async (handle) => {
      await server.env.sleep(4 * DAY);
      expect(await handle.query(experimentStateQuery)).toMatchObject({ status: 'paused', reason: 'srm' });
      const analysesWhilePaused = fake.analyses.length;
      await server.env.sleep(2 * DAY);
      expect(fake.analyses.length).toBe(analysesWhilePaused);
      // The team fixed the logging and resumed it over the API: the document says running, then a signal.
      srmUntil = 0;
      fake.doc.status = 'running';
      await handle.signal(experimentChangedSignal);
      await eventually(() => fake.analyses.length > analysesWhilePaused);
      await server.env.sleep(9 * DAY);
      expect(await completed(handle)).toMatchObject({ reason: 'ended' });
    });
    expect(fake.moves.map(({ to, reason }) => [to, reason])).toEqual([
      ['running', 'started'],
      ['paused', 'srm'],
      ['completed', 'ended'],
    ]);
  });

  it('ends as soon as the API stops it, without waiting for the next analysis', async () => {
    const startAt = await now();
    const fake = fakeExperiment(startAt, startAt + 14 * DAY);
    await start(fake, async (handle) => {
      await server.env.sleep(2 * DAY + 30 * MINUTE);
      fake.doc.status = 'completed';
      await handle.signal(experimentChangedSignal);
      expect(await handle.result()).toMatchObject({ status: 'completed' });
    });
    const analysed = fake.analyses.length;
    expect(analysed).toBeGreaterThanOrEqual(2 * 24);
    expect(analysed).toBeLessThanOrEqual(2 * 24 + 2);
  });
  it('obeys ops signals from the Temporal UI: pause, resume, then conclude with a winner', async () => {
    const startAt = await now();
    const fake = fakeExperiment(startAt, startAt + 14 * DAY);
    await start(fake, async (handle) => {
      await server.env.sleep(DAY);
      await handle.signal(pauseExperimentSignal);
      await eventually(async () => (await handle.query(experimentStateQuery)).status === 'paused');
      const analysed = fake.analyses.length;
      await server.env.sleep(DAY);
      expect(fake.analyses.length).toBe(analysed);
      await handle.signal(resumeExperimentSignal);
      await eventually(() => fake.analyses.length > analysed);
      await handle.signal(concludeExperimentSignal, { winnerVariantId: 'b' });
      expect(await completed(handle)).toMatchObject({ reason: 'concluded' });
      await saveHistory('experiment-ops-signals', handle);
    });
    expect(fake.moves.map(({ to, reason }) => [to, reason])).toEqual([
      ['running', 'started'],
      ['paused', 'paused'],
      ['running', 'resumed'],
      ['completed', 'concluded:b'],
    ]);
  });
});
