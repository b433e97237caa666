import type { RunOutcome } from './journey-run.contract';

/**
 * The activities a journey run calls, as the workflow sees them. activities/ implements
 * them (`satisfies JourneyActivities`). Every one that changes the world is idempotent by
 * `key`: a retried or replayed step finds its earlier result instead of acting twice.
 */

/** Identifies one step of one run; `key` (`runId:stepId`) is the idempotency key. */
export interface StepContext {
  key: string;
  workspaceId: string;
  leadId: string;
  journeyId: string;
  version: number;
  runId: string;
  stepId: string;
}

/** What branch conditions and quiet hours read about a lead. */
export interface LeadFacts {
  traits: Record<string, unknown>;
  /** Rollups as stored on the lead: countsByType, valueSum, sessionCount, eventCount… */
  rollups: Record<string, unknown>;
  /** IANA zone from the lead's traits, if any. */
  timezone?: string;
  /** False when the lead was merged away or never existed. */
  exists: boolean;
}

export type SendResult =
  | { status: 'sent'; deliveryId: string; providerId: string }
  | { status: 'skipped'; deliveryId: string; reason: 'unsubscribed' | 'no_address' | 'frequency_capped' };

export interface AssignmentResult {
  status: 'assigned' | 'no_agent';
  assignmentId: string;
  agentId?: string;
  agentName?: string;
}

export interface StepRecord {
  runId: string;
  stepId: string;
  type: string;
  /** Workflow time the step finished (ISO). */
  at: string;
  result: 'done' | 'skipped' | 'failed' | 'timed_out' | 'matched' | 'then' | 'else';
  detail?: Record<string, unknown>;
}

export interface RunStarted {
  runId: string;
  workspaceId: string;
  leadId: string;
  journeyId: string;
  version: number;
  triggerMessageId: string;
  triggerType: string;
  at: string;
}

export interface RunEnded {
  runId: string;
  outcome: RunOutcome;
  converted: boolean;
  exitReason?: string;
  at: string;
}

/** The run's trigger event, for templates (`{{trigger.properties.formId}}`). */
export interface TriggerFacts {
  type: string;
  properties: Record<string, unknown>;
}

export interface JourneyActivities {
  getLeadFacts(input: { workspaceId: string; leadId: string }): Promise<LeadFacts>;
  sendEmail(input: StepContext & { template: string; subject?: string; trigger?: TriggerFacts }): Promise<SendResult>;
  sendSms(input: StepContext & { template: string; trigger?: TriggerFacts }): Promise<SendResult>;
  assignAgent(
    input: StepContext & { strategy: 'round_robin' | 'least_loaded'; matchTrait?: string; reason?: string },
  ): Promise<AssignmentResult>;
  createTask(input: StepContext & { title: string; dueAt?: string }): Promise<{ taskId: string }>;
  /** Retries 5xx, 429 and network errors; a 4xx is final (non-retryable). */
  callWebhook(
    input: StepContext & { url: string; method: 'POST' | 'PUT'; body?: Record<string, unknown> },
  ): Promise<{ status: number }>;
  updateLead(input: StepContext & { setTraits?: Record<string, unknown>; addTags?: string[] }): Promise<void>;
  recordRunStarted(input: RunStarted): Promise<void>;
  recordStep(input: StepRecord): Promise<void>;
  recordRunEnded(input: RunEnded): Promise<void>;
}
