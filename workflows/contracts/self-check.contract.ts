/**
 * The self-check round trip: API → Temporal → worker → activity → MongoDB → back.
 * Ops run it (POST /ops/self-check) to prove a deployment's moving parts work together.
 */
export const SELF_CHECK_WORKFLOW = 'selfCheckWorkflow';

export interface SelfCheckInput {
  /** Echoed through the activity into the stored record, so the caller can match it. */
  message: string;
}

export interface SelfCheckResult {
  workflowId: string;
  message: string;
  /** When the activity wrote its record, as an ISO timestamp. */
  recordedAt: string;
  /** Which worker process ran the activity (Temporal's worker identity). */
  workerIdentity: string;
}

export type SelfCheckWorkflow = (input: SelfCheckInput) => Promise<SelfCheckResult>;

export const selfCheckWorkflowId = (checkId: string): string => `self-check-${checkId}`;
