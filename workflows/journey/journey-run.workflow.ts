import {
  CancellationScope,
  condition,
  getExternalWorkflowHandle,
  isCancellation,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import {
  journeyEventSignal,
  JourneyRunResult,
  journeyRunStatusQuery,
  JourneyRunWorkflow,
} from '../contracts/journey-run.contract';
import { journeyRunEndedSignal } from '../contracts/lead.contract';
import { Step } from '../contracts/search-attributes';
import { eventMatches, needsLeadFacts } from '../lib/event-match';
import { getJourneyDefinition, recordRunEnded, recordRunStarted } from './activity-proxies';
import { leadFacts, RunContext, runRef } from './run-context';
import { runSteps } from './steps';

/** Runs one lead through one journey version until its steps end, an exit event, or a failure. */
export const journeyRunWorkflow: JourneyRunWorkflow = async (input) => {
  const { workspaceId, leadId, journeyId, version, trigger } = input;
  // Handlers first: the lead forwards events from the moment the run starts.
  const inbox: RunContext['inbox'] = [];
  const status: RunContext['status'] = { journeyId, version, leadId, completedSteps: [], converted: false };
  setHandler(journeyEventSignal, (event) => void inbox.push({ event, receivedAt: Date.now() }));
  setHandler(journeyRunStatusQuery, () => status);
  // Entries reference their version; runs started before that carry the definition.
  const definition = input.definition ?? (await getJourneyDefinition({ workspaceId, journeyId, version }));
  const run: RunContext = { input, definition, runId: workflowInfo().workflowId, status, inbox };

  const at = () => new Date(Date.now()).toISOString();
  const { runId } = run;
  await recordRunStarted({
    ...runRef(run),
    version,
    triggerMessageId: trigger.messageId,
    triggerType: trigger.type,
    at: at(),
  });

  // The steps run in a scope an exit event cancels; the watcher in one of its own, ended
  // with the steps.
  const steps = new CancellationScope();
  const watcher = new CancellationScope();
  let exitReason: string | undefined;
  let watchFailure: unknown;
  void watcher
    .run(() => watchEvents(run))
    .then(
      (reason) => {
        exitReason = reason;
        steps.cancel();
      },
      (error: unknown) => {
        if (isCancellation(error)) return; // the steps ended first
        watchFailure = error;
        steps.cancel();
      },
    );

  let ended: Omit<JourneyRunResult, 'converted'>;
  let failure: Error | undefined;
  try {
    const end = await steps.run(() => runSteps(run, run.definition.steps));
    ended = end ? { outcome: 'exited', exitReason: end } : { outcome: 'completed' };
  } catch (error) {
    if (isCancellation(error) && exitReason !== undefined) {
      ended = { outcome: 'exited', exitReason };
    } else {
      // Failed for real (an activity out of retries), or cancelled by ops: rethrown after the
      // bookkeeping, so the Temporal UI shows the run as Failed or Cancelled.
      failure = (watchFailure ?? error) as Error;
      ended = isCancellation(failure) ? { outcome: 'exited', exitReason: 'cancelled' } : { outcome: 'failed' };
    }
  } finally {
    watcher.cancel();
  }

  const result: JourneyRunResult = { ...ended, converted: run.status.converted };
  run.status.outcome = result.outcome;
  delete run.status.currentStep;
  upsertSearchAttributes([{ key: Step, value: 'done' }]);
  await CancellationScope.nonCancellable(async () => {
    const { experimentVariants } = run.status;
    await recordRunEnded({ ...runRef(run), ...result, ...(experimentVariants && { experimentVariants }), at: at() });
    // By workflow id only: the lead may have continued-as-new since it started this run.
    const parent = workflowInfo().parent?.workflowId;
    if (parent) {
      await getExternalWorkflowHandle(parent)
        .signal(journeyRunEndedSignal, { runId, journeyId, outcome: result.outcome })
        .catch(() => undefined); // the lead was terminated: nobody is left to tell
    }
  });
  if (failure) throw failure;
  return result;
};

/**
 * Reads every event the lead forwards: a goal match marks the run converted; an exit match
 * ends the watch with the event's type, the run's exit reason.
 */
async function watchEvents(run: RunContext): Promise<string> {
  const { exitOn, goal } = run.definition;
  const all = goal ? [goal, ...exitOn] : exitOn;
  for (let next = 0; ; next++) {
    await condition(() => run.inbox.length > next);
    const { event } = run.inbox[next];
    const lead = needsLeadFacts(all, event) ? await leadFacts(run) : undefined;
    if (goal && eventMatches(goal, event, lead)) run.status.converted = true;
    if (exitOn.some((exit) => eventMatches(exit, event, lead))) return event.type;
  }
}
