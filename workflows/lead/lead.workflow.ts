import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  ParentClosePolicy,
  setHandler,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
import {
  JOURNEY_RUN_WORKFLOW,
  journeyEventSignal,
  journeyRunId,
  JourneyRunWorkflow,
} from '../contracts/journey-run.contract';
import {
  EntryDecision,
  JourneyEntry,
  journeyRunEndedSignal,
  LeadEvent,
  leadEventSignal,
  LeadEventSignal,
  leadStateQuery,
  LeadWorkflow,
  LeadWorkflowInput,
  LeadWorkflowState,
} from '../contracts/lead.contract';
import { JourneyId, JourneyVersion, LeadId, Step } from '../contracts/search-attributes';
import { admit, appendBounded, byPriority, rememberMessage } from '../lib/lead-rules';

const RECENT_DECISIONS = 20;

/** One lead's entity workflow: dedupes its events, admits journey runs, forwards events to them. */
export const leadWorkflow: LeadWorkflow = async (input) => {
  const state: LeadWorkflowState = input.state ?? {
    seen: [],
    journeys: {},
    pending: [],
    runCounter: 0,
    recentDecisions: [],
  };
  // Handlers only record: the loop below handles events one at a time, in arrival order.
  setHandler(leadEventSignal, (signal) => void state.pending.push(signal));
  setHandler(journeyRunEndedSignal, ({ runId, journeyId }) => {
    const journey = state.journeys[journeyId];
    if (journey) journey.activeRuns = journey.activeRuns.filter((id) => id !== runId);
  });
  setHandler(leadStateQuery, () => state);

  const maxSignals = input.maxSignalsPerRun ?? 500;
  let handled = 0;
  const timeToContinue = () => handled >= maxSignals || workflowInfo().continueAsNewSuggested;
  for (;;) {
    await condition(() => state.pending.length > 0 || timeToContinue());
    if (timeToContinue()) break;
    const signal = state.pending.shift() as LeadEventSignal;
    await handle(input, state, signal);
    handled += 1;
  }
  // Whatever arrives until the new run starts stays in state.pending and goes along.
  await condition(allHandlersFinished);
  return continueAsNew<LeadWorkflow>({ ...input, state });
};

async function handle(input: LeadWorkflowInput, state: LeadWorkflowState, { event, entries }: LeadEventSignal) {
  if (!rememberMessage(state.seen, event.messageId)) return; // a redelivery
  // Before starting runs: a run's trigger is its first event, never delivered to it twice.
  await forward(state, event);
  for (const entry of byPriority(entries)) await enter(input, state, event, entry);
}

/** Sends the event to every run still going, so its exit criteria and wait-for steps see it. */
async function forward(state: LeadWorkflowState, event: LeadEvent): Promise<void> {
  const runs = Object.values(state.journeys).flatMap(({ activeRuns }) => activeRuns);
  await Promise.all(
    runs.map((runId) =>
      // A run that has just ended is not found; its own end signal updates activeRuns.
      getExternalWorkflowHandle(runId)
        .signal(journeyEventSignal, event)
        .catch(() => undefined),
    ),
  );
}

/** Starts a run of `entry`'s journey if its re-entry rules and cooldown allow. */
async function enter(input: LeadWorkflowInput, state: LeadWorkflowState, trigger: LeadEvent, entry: JourneyEntry) {
  const { workspaceId, leadId } = input;
  const { journeyId, version, definition, waitScale } = entry; // `definition` only in older signals
  const now = Date.now();
  const before = state.journeys[journeyId];
  const decision: EntryDecision = {
    at: now,
    messageId: trigger.messageId,
    journeyId,
    version,
    decision: admit(before, entry, now),
  };
  if (decision.decision === 'started') {
    state.runCounter += 1;
    const runId = journeyRunId(journeyId, leadId, state.runCounter);
    // Recorded before the start resolves: a quick run's end signal may be handled first.
    state.journeys[journeyId] = {
      lastEnteredAt: now,
      entries: (before?.entries ?? 0) + 1,
      activeRuns: [...(before?.activeRuns ?? []), runId],
    };
    try {
      await startChild<JourneyRunWorkflow>(JOURNEY_RUN_WORKFLOW, {
        workflowId: runId,
        args: [{ workspaceId, leadId, journeyId, version, ...(definition && { definition }), trigger, waitScale }],
        // Runs outlive this workflow's continue-as-new, and report their end by workflow id.
        parentClosePolicy: ParentClosePolicy.ABANDON,
        typedSearchAttributes: [
          { key: LeadId, value: leadId },
          { key: JourneyId, value: journeyId },
          { key: JourneyVersion, value: version },
          { key: Step, value: 'start' },
        ],
      });
      decision.runId = runId;
    } catch (error) {
      // Only if this lead's memory was lost (its workflow terminated and started afresh) while
      // a run of its old life, with this very id, is still going: that run is this journey's.
      if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
      if (before) state.journeys[journeyId] = before;
      else delete state.journeys[journeyId];
      decision.decision = 'already_active';
    }
  }
  appendBounded(state.recentDecisions, decision, RECENT_DECISIONS);
}
