import type { JourneyDefinition } from './journey-definition';
import type { RunOutcome } from './journey-run.contract';

/**
 * The activities a journey run calls, as the workflow sees them. activities/ implements
 * them (`satisfies JourneyActivities`). Every one that changes the world is idempotent by
 * `key`: a retried or replayed step finds its earlier result instead of acting twice.
 */

/**
 * Whose run an activity acts for: every run activity carries it, so the worker never looks
 * a run's owner up.
 */
export interface RunRef {
  workspaceId: string;
  journeyId: string;
  leadId: string;
  /** The run's workflow id. */
  runId: string;
}

/** Identifies one step of one run; `key` (`runId:stepId`) is the idempotency key. */
export interface StepContext extends RunRef {
  key: string;
  version: number;
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

export interface StepRecord extends RunRef {
  stepId: string;
  type: string;
  /** Workflow time the step finished (ISO). */
  at: string;
  result:
    | 'done'
    | 'skipped'
    | 'failed'
    | 'timed_out'
    | 'matched'
    | 'then'
    | 'else'
    // An experiment step: the lead's variant, its holdout, or not in the experiment.
    | 'variant'
    | 'holdout'
    | 'not_in_experiment';
  detail?: Record<string, unknown>;
}

export interface RunStarted extends RunRef {
  version: number;
  triggerMessageId: string;
  triggerType: string;
  at: string;
}

export interface RunEnded extends RunRef {
  outcome: RunOutcome;
  converted: boolean;
  exitReason?: string;
  /** The variant the run took at each experiment step, by experiment id. */
  experimentVariants?: Record<string, string>;
  at: string;
}

/** The run's trigger event, for templates (`{{trigger.properties.formId}}`). */
export interface TriggerFacts {
  type: string;
  properties: Record<string, unknown>;
}

/** A send step; the run passes its trigger event so templates can use it. */
export interface SendSmsInput extends StepContext {
  template: string;
  trigger?: TriggerFacts;
}

export interface SendEmailInput extends SendSmsInput {
  /** Overrides the template's subject.hbs; rendered with the same context. */
  subject?: string;
}

export interface AssignAgentInput extends StepContext {
  strategy: 'round_robin' | 'least_loaded';
  matchTrait?: string;
  reason?: string;
}

export interface CreateTaskInput extends StepContext {
  title: string;
  dueAt?: string;
}

export interface CallWebhookInput extends StepContext {
  url: string;
  method: 'POST' | 'PUT';
  body?: Record<string, unknown>;
}

export interface UpdateLeadInput extends StepContext {
  setTraits?: Record<string, unknown>;
  addTags?: string[];
}

export interface AssignVariantInput extends StepContext {
  experimentId: string;
}

/** A lead's variant for a journey's experiment step; `variantId` is absent when the experiment is gone. */
export interface JourneyVariant {
  variantId?: string;
  inExperiment: boolean;
  /** The assignment's reason: `concluded` means the variant is the rolled-out winner. */
  reason: string;
}

export interface JourneyActivities {
  /** A published version's definition (immutable); a version that does not exist fails the run. */
  getJourneyDefinition(input: { workspaceId: string; journeyId: string; version: number }): Promise<JourneyDefinition>;
  getLeadFacts(input: { workspaceId: string; leadId: string }): Promise<LeadFacts>;
  sendEmail(input: SendEmailInput): Promise<SendResult>;
  sendSms(input: SendSmsInput): Promise<SendResult>;
  assignAgent(input: AssignAgentInput): Promise<AssignmentResult>;
  createTask(input: CreateTaskInput): Promise<{ taskId: string }>;
  /** Retries 5xx, 429 and network errors; a 4xx is final (non-retryable). */
  callWebhook(input: CallWebhookInput): Promise<{ status: number }>;
  updateLead(input: UpdateLeadInput): Promise<void>;
  /** The lead's variant (sticky; its exposure recorded once), as the experiment's variants route answers. */
  assignJourneyVariant(input: AssignVariantInput): Promise<JourneyVariant>;
  recordRunStarted(input: RunStarted): Promise<void>;
  recordStep(input: StepRecord): Promise<void>;
  recordRunEnded(input: RunEnded): Promise<void>;
}
