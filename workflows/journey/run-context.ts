import { CancellationScope, condition } from '@temporalio/workflow';
import type { LeadFacts, RunRef, StepContext, StepRecord } from '../contracts/journey-activities';
import type { EventMatch, JourneyDefinition, JourneyStep } from '../contracts/journey-definition';
import type { JourneyRunInput, JourneyRunStatus } from '../contracts/journey-run.contract';
import type { LeadEvent } from '../contracts/lead.contract';
import { eventMatches, needsLeadFacts } from '../lib/event-match';
import { getLeadFacts, recordStep } from './activity-proxies';

/** What one journey run knows, shared by its step interpreter and its exit watcher. */
export interface RunContext {
  input: JourneyRunInput;
  /** The published version the run interprets, whatever is published later. */
  definition: JourneyDefinition;
  /** The run's workflow id: the lead's journey-run id. */
  runId: string;
  status: JourneyRunStatus;
  /** Every event the lead forwarded, in order; consumers keep their own position. */
  inbox: { event: LeadEvent; receivedAt: number }[];
}

export const MINUTE = 60_000;

export function runRef({ input, runId }: RunContext): RunRef {
  const { workspaceId, journeyId, leadId } = input;
  return { workspaceId, journeyId, leadId, runId };
}

export function stepContext(run: RunContext, stepId: string): StepContext {
  return { ...runRef(run), key: `${run.runId}:${stepId}`, version: run.input.version, stepId };
}

export function leadFacts({ input }: RunContext): Promise<LeadFacts> {
  return getLeadFacts({ workspaceId: input.workspaceId, leadId: input.leadId });
}

/** Whether `event` is what `match` describes, reading the lead only if a condition needs it. */
export async function matches(run: RunContext, match: EventMatch, event: LeadEvent): Promise<boolean> {
  const lead = needsLeadFacts([match], event) ? await leadFacts(run) : undefined;
  return eventMatches(match, event, lead);
}

/**
 * Records a finished step. Not cancellable: once a step has acted (an email went out), an
 * exit arriving now must not lose the record of it; the exit takes effect at the next step.
 */
export async function record(
  run: RunContext,
  step: JourneyStep,
  result: StepRecord['result'],
  detail?: Record<string, unknown>,
): Promise<void> {
  const at = new Date(Date.now()).toISOString();
  await CancellationScope.nonCancellable(() =>
    recordStep({ ...runRef(run), stepId: step.id, type: step.type, at, result, ...(detail && { detail }) }),
  );
  if (result !== 'failed') run.status.completedSteps.push(step.id);
}

/**
 * The first event received from `from` on (an inbox position) within `timeoutMs` that
 * matches, or undefined on timeout.
 */
export async function nextMatch(
  run: RunContext,
  match: EventMatch,
  from: number,
  timeoutMs: number,
): Promise<LeadEvent | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (let next = from; ; next++) {
    const remaining = deadline - Date.now();
    const arrived = () => run.inbox.length > next;
    if (!arrived() && (remaining <= 0 || !(await condition(arrived, remaining)))) return undefined;
    const { event, receivedAt } = run.inbox[next];
    // Matching may read the lead (an activity); an event that came in after the deadline
    // meanwhile is too late, however it matches.
    if (receivedAt > deadline) return undefined;
    if (await matches(run, match, event)) return event;
  }
}
