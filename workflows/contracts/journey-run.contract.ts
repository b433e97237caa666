import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { JourneyDefinition } from './journey-definition';
import type { LeadEvent } from './lead.contract';

/**
 * One lead's run through one published journey version: a child of the lead workflow,
 * interpreting the definition it was started with, whatever is published later.
 */
export const JOURNEY_RUN_WORKFLOW = 'journeyRunWorkflow';

/** e.g. `journey-form-abandonment-recovery-ld_4f2a-3`: the journey, the lead, the lead's nth run. */
export const journeyRunId = (journeyId: string, leadId: string, runNumber: number): string =>
  `journey-${journeyId}-${leadId}-${runNumber}`;

export interface JourneyRunInput {
  workspaceId: string;
  leadId: string;
  journeyId: string;
  version: number;
  /**
   * Only in runs started before runs loaded their version's definition themselves (with the
   * getJourneyDefinition activity, first thing): kept so those replay and finish.
   */
  definition?: JourneyDefinition;
  /** The event that started the run; `event` conditions in branches read it. */
  trigger: LeadEvent;
  waitScale: number;
}

export type RunOutcome = 'completed' | 'exited' | 'failed';

export interface JourneyRunResult {
  outcome: RunOutcome;
  converted: boolean;
  /** For `exited`: the exit event's type, or `exit_step`. */
  exitReason?: string;
}

/** What ops see when they query a run in the Temporal UI. */
export interface JourneyRunStatus {
  journeyId: string;
  version: number;
  leadId: string;
  /** The step being executed or waited on; absent once the run ends. */
  currentStep?: string;
  /** Set while a send waits for the lead's quiet hours to end (ISO). */
  heldUntil?: string;
  completedSteps: string[];
  converted: boolean;
  /** The variant the run took at each experiment step, by experiment id. */
  experimentVariants?: Record<string, string>;
  outcome?: RunOutcome;
}

/** Forwarded by the lead workflow: every event of the lead while the run is going. */
export const journeyEventSignal = defineSignal<[LeadEvent]>('journeyEvent');
export const journeyRunStatusQuery = defineQuery<JourneyRunStatus>('runStatus');

export type JourneyRunWorkflow = (input: JourneyRunInput) => Promise<JourneyRunResult>;
