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

  /** Runs one self-check on a worker whose recordSelfCheck is `record`. */
  async function runSelfCheck(workflowId: string, message: string, record: Activities['recordSelfCheck']) {
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: workflowId,
      workflowsPath: require.resolve('../../workflows'),
      activities: { recordSelfCheck: record },
    });
    return worker.runUntil(
      env.client.workflow.execute<SelfCheckWorkflow>(SELF_CHECK_WORKFLOW, {
        taskQueue: workflowId,
        workflowId,
        args: [{ message }],
      }),
    );
  }

  const stored = (message: string) => ({ message, recordedAt: '2026-01-01T00:00:00.000Z', workerIdentity: 'w-test' });

  it('returns what the activity stored, keyed by its own workflow id', async () => {
    const calls: unknown[] = [];

    const result = await runSelfCheck('self-check-abc', 'ping', (input) => {
      calls.push(input);
      return Promise.resolve(stored(input.message));
    });

    expect(calls).toEqual([{ checkId: 'self-check-abc', message: 'ping' }]);
    expect(result).toEqual({ workflowId: 'self-check-abc', ...stored('ping') });
  });

  it('retries a failing activity and succeeds on a later attempt', async () => {
    let attempts = 0;

    const result = await runSelfCheck('self-check-retry', 'again', (input) => {
      attempts += 1;
      return attempts < 3 ? Promise.reject(new Error('database briefly down')) : Promise.resolve(stored(input.message));
    });

    expect(attempts).toBe(3);
    expect(result.message).toBe('again');
  });

  it('fails after its last retry, so ops see a failed run rather than one stuck forever', async () => {
    let attempts = 0;

    const run = runSelfCheck('self-check-down', 'never', () => {
      attempts += 1;
      return Promise.reject(new Error('database down'));
    });

    await expect(run).rejects.toThrow('Workflow execution failed');
    expect(attempts).toBe(3);
  });
});
