/**
 * A journey, as CRM teams author it and as the journey workflow interprets it. A published
 * version is immutable: a run holds the version it started with, whatever is edited later.
 * Plain data (no classes, no Dates) so it travels through Temporal unchanged.
 */

/** Where a condition reads its value: the triggering event, the lead's traits, or its rollups. */
export type ConditionSource = 'event' | 'trait' | 'rollup';

/** The operators that compare one value with another (segment scores and aggregates use these alone). */
export const comparisonOperators = [
  'equals',
  'not_equals',
  'greater_than',
  'greater_than_or_equal',
  'less_than',
  'less_than_or_equal',
] as const;
export type ComparisonOperator = (typeof comparisonOperators)[number];

export const conditionOperators = [...comparisonOperators, 'contains', 'in', 'exists', 'not_exists'] as const;
export type ConditionOperator = (typeof conditionOperators)[number];

export interface Condition {
  source: ConditionSource;
  /** A path: `formCompletion` (event property), `region` (trait), `countsByType.page_view` (rollup). */
  field: string;
  operator: ConditionOperator;
  value?: unknown;
}

export interface EventMatch {
  /** A catalog or custom event type, e.g. `form_abandon`. */
  event: string;
  /** All must hold. */
  conditions: Condition[];
}

export type ReentryPolicy = 'never' | 'after_exit' | 'always';

/**
 * A daily window, in the lead's own time zone (trait `timezone`, IANA name; UTC when unknown),
 * when sends are held until it ends. `start` after `end` spans midnight: 21:00–08:00.
 */
export interface QuietHours {
  /** HH:MM, 24-hour clock. */
  start: string;
  end: string;
}

export type JourneyStep =
  | { id: string; type: 'wait'; minutes: number }
  | {
      id: string;
      type: 'wait_for';
      event: EventMatch;
      timeoutMinutes: number;
      onEvent: JourneyStep[];
      onTimeout: JourneyStep[];
    }
  | {
      id: string;
      type: 'branch';
      match: 'all' | 'any';
      conditions: Condition[];
      then: JourneyStep[];
      else: JourneyStep[];
    }
  | { id: string; type: 'send_email'; template: string; subject?: string }
  | { id: string; type: 'send_sms'; template: string }
  | { id: string; type: 'assign_agent'; strategy: 'round_robin' | 'least_loaded'; matchTrait?: string; reason?: string }
  | { id: string; type: 'create_task'; title: string; dueInMinutes?: number }
  | { id: string; type: 'webhook'; url: string; method: 'POST' | 'PUT'; body?: Record<string, unknown> }
  | { id: string; type: 'update_lead'; setTraits?: Record<string, unknown>; addTags?: string[] }
  | {
      id: string;
      type: 'experiment';
      experimentId: string;
      /** Steps per variant id; a variant without steps here goes on after this step. */
      variants: Record<string, JourneyStep[]>;
      /** A variant that receives nothing: its leads' runs end here (exit reason `holdout`). */
      holdoutVariantId?: string;
      /** Leads the experiment does not take: not running, not covered, not eligible. */
      otherwise: JourneyStep[];
    }
  | { id: string; type: 'exit' };

export type JourneyStepType = JourneyStep['type'];

export interface JourneyDefinition {
  name: string;
  description?: string;
  /** What starts a run. */
  trigger: EventMatch;
  /** Events that end a running journey at once (e.g. form_submit ends a form-abandon recovery). */
  exitOn: EventMatch[];
  reentry: ReentryPolicy;
  /** After a run starts, the same lead cannot start this journey again for this long. */
  cooldownMinutes: number;
  /** Higher runs first when several journeys match one event. */
  priority: number;
  /** The conversion this journey works toward; a run that sees it counts as converted. */
  goal?: EventMatch;
  /** Email and SMS steps inside this window wait until it ends. */
  quietHours?: QuietHours;
  /**
   * Segments a lead must be in (any one of them) for the trigger to fire (the spec's
   * targetSegments); checked when the trigger matches, after the batch's memberships.
   */
  targetSegments?: string[];
  steps: JourneyStep[];
}
