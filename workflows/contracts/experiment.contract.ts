import { defineQuery, defineSignal } from '@temporalio/workflow';

/**
 * An experiment's lifecycle: one `experimentWorkflow` per experiment waits for its scheduled
 * start, analyses its results periodically, pauses itself on a sample-ratio mismatch, stops
 * early only when the always-valid test allows and every variant has its minimum sample, and
 * completes at its end date. The experiment document holds the status; the workflow moves it
 * through activities (conditional writes), and the API's own changes wake it by signal.
 */
export const EXPERIMENT_WORKFLOW = 'experimentWorkflow';

export interface ExperimentRef {
  workspaceId: string;
  experimentId: string;
}

/** What ops find in the Temporal UI. */
export const experimentWorkflowId = ({ workspaceId, experimentId }: ExperimentRef): string =>
  `experiment-${workspaceId}-${experimentId}`;

export type LifecycleStatus = 'draft' | 'scheduled' | 'running' | 'paused' | 'completed';

/** Why the workflow moved the status, recorded on the experiment. */
export type LifecycleReason =
  | 'started'
  | 'srm'
  | 'stopped_early'
  | 'ended'
  // Signalled by ops (the Temporal UI, tctl) rather than changed over the API:
  | 'paused'
  | 'resumed'
  | 'stopped'
  | 'concluded';

export interface ExperimentPlan {
  /** Absent: the experiment was deleted, and the workflow ends. */
  status?: LifecycleStatus;
  startAt?: string;
  endAt?: string;
  analyseEveryMinutes: number;
}

export interface AnalysisSummary {
  at: string;
  exposedLeads: number;
  srmMismatch: boolean;
  enoughData: boolean;
  canStopEarly: boolean;
  /** The variant ahead on the primary metric, when significantly so. */
  leadingVariantId?: string;
  verdict: string;
}

export interface ExperimentActivities {
  getExperimentPlan(ref: ExperimentRef): Promise<ExperimentPlan>;
  /** Moves the status from `from` to `to` if it still is `from`; answers the status after. */
  moveExperimentStatus(
    input: ExperimentRef & { from: LifecycleStatus[]; to: LifecycleStatus; reason: LifecycleReason; at: string },
  ): Promise<LifecycleStatus | undefined>;
  /** Analyses the results now and records the summary on the experiment. */
  analyseExperimentResults(input: ExperimentRef & { at: string }): Promise<AnalysisSummary>;
  /** Completes a live experiment with its winner rolled out (an unknown variant changes nothing). */
  concludeExperiment(
    input: ExperimentRef & { winnerVariantId: string; at: string },
  ): Promise<LifecycleStatus | undefined>;
}

/** Sent by the API after it changed the experiment (paused, resumed, stopped, concluded, rescheduled). */
export const experimentChangedSignal = defineSignal('experimentChanged');

/** What ops may signal from the Temporal UI; the workflow applies each to the document. */
export const pauseExperimentSignal = defineSignal('pause');
export const resumeExperimentSignal = defineSignal('resume');
export const stopExperimentSignal = defineSignal('stop');
export const concludeExperimentSignal = defineSignal<[{ winnerVariantId?: string }]>('conclude');

export interface ExperimentState {
  status: LifecycleStatus | 'deleted';
  analyses: number;
  lastAnalysis?: AnalysisSummary;
  reason?: LifecycleReason;
}

export const experimentStateQuery = defineQuery<ExperimentState>('experimentState');

export type ExperimentWorkflow = (ref: ExperimentRef) => Promise<ExperimentState>;
