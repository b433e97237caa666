import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { JourneyDefinition } from './journey-definition';

/**
 * The lead entity workflow: one per lead, reached only through `signalWithStart` (events
 * that may start a journey) or a plain signal (events a running journey may care about).
 * It dedupes events by messageId, enforces cooldowns and re-entry durably, starts each
 * journey run as a child workflow, and forwards events to the runs it holds.
 */
export const LEAD_WORKFLOW = 'leadWorkflow';

export const leadWorkflowId = (leadId: string): string => `lead-${leadId}`;

/** An event as journeys see it: plain data, the timestamp as ISO text. */
export interface LeadEvent {
  messageId: string;
  type: string;
  timestamp: string;
  properties: Record<string, unknown>;
}

/** What the lead workflow reads of a journey to decide whether an event enters it. */
export type EntryRules = Pick<JourneyDefinition, 'priority' | 'reentry' | 'cooldownMinutes'>;

/**
 * A published journey version whose trigger this event matched, as the API's matcher found
 * it: a reference and its entry rules. The run loads the version's definition itself, so
 * outbox records and signals stay small whatever the journey's size.
 */
export interface JourneyEntry {
  journeyId: string;
  version: number;
  rules: EntryRules;
  /** Multiplies every wait (1 in production; small for demos, 0 for benchmarks). */
  waitScale: number;
  /** The whole definition: only in signals written before entries became references. */
  definition?: JourneyDefinition;
}

/** The part of a definition an entry carries. */
export const entryRules = ({ priority, reentry, cooldownMinutes }: EntryRules): EntryRules => ({
  priority,
  reentry,
  cooldownMinutes,
});

/** An entry's rules, from a reference or from a signal that still carries the definition. */
export const rulesOf = (entry: JourneyEntry): EntryRules => entry.rules ?? entry.definition!;

export interface LeadEventSignal {
  event: LeadEvent;
  /** Journeys this event may start, highest priority first; empty for exit / wait-for events. */
  entries: JourneyEntry[];
}

/** Sent by a journey run to its lead when it ends, so re-entry rules see it finished. */
export interface JourneyRunEnded {
  runId: string;
  journeyId: string;
  outcome: 'completed' | 'exited' | 'failed';
}

export interface LeadWorkflowInput {
  workspaceId: string;
  leadId: string;
  /** Carried over by continue-as-new; absent on the first run. */
  state?: LeadWorkflowState;
  /** Continue-as-new after this many handled signals even if Temporal has not suggested it. */
  maxSignalsPerRun?: number;
}

/** What a lead remembers of one journey, to enforce cooldown and re-entry. */
export interface LeadJourneyHistory {
  /** Workflow time (ms) the last run of this journey started. */
  lastEnteredAt: number;
  entries: number;
  /** Workflow ids of this journey's runs still going. */
  activeRuns: string[];
}

/** Why a matched entry did or did not start a run: kept for ops (query `leadState`). */
export interface EntryDecision {
  at: number;
  messageId: string;
  journeyId: string;
  version: number;
  decision: 'started' | 'cooldown' | 'already_active' | 'already_entered';
  runId?: string;
}

export interface LeadWorkflowState {
  /** Recent messageIds, oldest first, bounded: a redelivered event is ignored. */
  seen: string[];
  journeys: Record<string, LeadJourneyHistory>;
  /** Signals received but not yet handled when the run continued-as-new. */
  pending: LeadEventSignal[];
  /** Numbers the lead's journey runs, so each child workflow id is unique. */
  runCounter: number;
  recentDecisions: EntryDecision[];
}

export const leadEventSignal = defineSignal<[LeadEventSignal]>('leadEvent');
export const journeyRunEndedSignal = defineSignal<[JourneyRunEnded]>('journeyRunEnded');
export const leadStateQuery = defineQuery<LeadWorkflowState>('leadState');

export type LeadWorkflow = (input: LeadWorkflowInput) => Promise<void>;
