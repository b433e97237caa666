/**
 * Replays the recorded histories of the lead and journey-run workflows against today's
 * workflow code: a change that would break running workflows (a step reordered, an activity
 * added before an existing one) fails here, and needs `patched()` rather than new fixtures.
 *
 * The fixtures (test/fixtures/histories/*.json) are recorded by the time-skipping specs.
 * Re-record them only when the recorded behavior changes on purpose, and commit them:
 *
 *   RECORD_HISTORIES=1 npm test -- test/temporal/lead.workflow.spec.ts test/temporal/journey-run.workflow.spec.ts \
 *     test/temporal/experiment.workflow.spec.ts
 */
import { Worker } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { readFixtures } from '../support/histories';

const workflowsPath = require.resolve('../../workflows');

describe('journey workflows replay their recorded histories', () => {
  const fixtures = readFixtures();

  it('has the scenarios the workflows must keep replaying', () => {
    expect(fixtures.map(({ name }) => name)).toEqual(
      expect.arrayContaining([
        // A run entered by reference, loading its definition (new runs since entries became references).
        'definition-by-reference.run',
        'form-abandonment-completed.lead',
        'form-abandonment-completed.run',
        'form-abandonment-exited.lead',
        'form-abandonment-exited.run',
        'lead-continued-as-new',
        'wait-for-matched.run',
        'wait-for-timed-out.run',
        // Runs started with their whole definition in the input (before): they must still finish.
        'send-retried.run',
        // A journey's experiment step taking a holdout; an experiment paused, resumed and concluded by ops.
        'experiment-holdout.run',
        'experiment-ops-signals',
      ]),
    );
  });

  it('replays every fixture without nondeterminism', async () => {
    const histories = fixtures.map(({ name, history }) => ({ workflowId: name, history }));
    const results: { workflowId: string; error?: unknown }[] = [];
    for await (const result of Worker.runReplayHistories({ workflowsPath, replayName: 'fixtures' }, histories)) {
      results.push({ workflowId: result.workflowId, ...(result.error !== undefined && { error: result.error }) });
    }

    expect(results).toEqual(fixtures.map(({ name }) => ({ workflowId: name })));
  });

  it('detects a history the code no longer matches', async () => {
    // The completed run, as if it had once sent an SMS where the code sends an email.
    const { history: tampered } = readFixtures().find(({ name }) => name === 'form-abandonment-completed.run')!;
    const scheduled = tampered.events!.find(
      (event) => event.activityTaskScheduledEventAttributes?.activityType?.name === 'sendEmail',
    )!;
    scheduled.activityTaskScheduledEventAttributes!.activityType!.name = 'sendSms';

    await expect(
      Worker.runReplayHistory({ workflowsPath, replayName: 'tampered' }, tampered, 'tampered'),
    ).rejects.toThrow(DeterminismViolationError);
  });
});
