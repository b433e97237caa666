import { Worker } from '@temporalio/worker';
import { Activities } from '../../activities';
import { SELF_CHECK_WORKFLOW, SelfCheckWorkflow } from '../../workflows/contracts/self-check.contract';
import { createTimeSkippingEnv } from '../support/time-skipping';

describe('selfCheckWorkflow (time-skipping server)', () => {
  let env: Awaited<ReturnType<typeof createTimeSkippingEnv>>;

  beforeAll(async () => {
    env = await createTimeSkippingEnv();
  });

  afterAll(async () => {
    await env?.teardown();
    env?.stopServer();
  });

  function workerWith(activities: Partial<Activities>, taskQueue: string) {
    return Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowsPath: require.resolve('../../workflows'),
      activities,
    });
  }

  it('returns what the activity stored, keyed by its own workflow id', async () => {
    const calls: unknown[] = [];
    const worker = await workerWith(
      {
        recordSelfCheck: (input) => {
          calls.push(input);
          return Promise.resolve({ message: input.message, recordedAt: '2026-01-01T00:00:00.000Z', workerIdentity: 'w-test' });
        },
      },
      'self-check-ok',
    );

    const result = await worker.runUntil(
      env.client.workflow.execute<SelfCheckWorkflow>(SELF_CHECK_WORKFLOW, {
        taskQueue: 'self-check-ok',
        workflowId: 'self-check-abc',
        args: [{ message: 'ping' }],
      }),
    );

    expect(calls).toEqual([{ checkId: 'self-check-abc', message: 'ping' }]);
    expect(result).toEqual({
      workflowId: 'self-check-abc',
      message: 'ping',
      recordedAt: '2026-01-01T00:00:00.000Z',
      workerIdentity: 'w-test',
    });
  });

  it('retries a failing activity and succeeds on a later attempt', async () => {
    let attempts = 0;
    const worker = await workerWith(
      {
        recordSelfCheck: (input) => {
          attempts += 1;
          if (attempts < 3) return Promise.reject(new Error('database briefly down'));
          return Promise.resolve({ message: input.message, recordedAt: '2026-01-01T00:00:00.000Z', workerIdentity: 'w-test' });
        },
      },
      'self-check-retry',
    );

    const result = await worker.runUntil(
      env.client.workflow.execute<SelfCheckWorkflow>(SELF_CHECK_WORKFLOW, {
        taskQueue: 'self-check-retry',
        workflowId: 'self-check-retry',
        args: [{ message: 'again' }],
      }),
    );

    expect(attempts).toBe(3);
    expect(result.message).toBe('again');
  });
});

