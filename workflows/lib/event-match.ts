import type { LeadFacts } from '../contracts/journey-activities';
import type { Condition, EventMatch } from '../contracts/journey-definition';
import type { LeadEvent } from '../contracts/lead.contract';
import { type ConditionFacts, matchesAll } from './conditions';

/**
 * Matching a lead's event against an EventMatch (exit criteria, goals, wait-for steps).
 * Conditions on traits or rollups need the lead's facts, an activity call: callers ask
 * {@link needsLeadFacts} first, so that events matched on their own properties cost none.
 */

/** Whether any condition reads the lead rather than the event. */
export function readsLead(conditions: readonly Condition[]): boolean {
  return conditions.some(({ source }) => source !== 'event');
}

/** Whether matching `event` against any of `matches` needs the lead's facts. */
export function needsLeadFacts(matches: readonly EventMatch[], event: LeadEvent): boolean {
  return matches.some((match) => match.event === event.type && readsLead(match.conditions));
}

/** What conditions read: `event` from the event's properties, `trait`/`rollup` from the lead. */
export function conditionFacts(
  properties: Record<string, unknown>,
  lead?: Pick<LeadFacts, 'traits' | 'rollups'>,
): ConditionFacts {
  return { event: properties, trait: lead?.traits ?? {}, rollup: lead?.rollups ?? {} };
}

/** Same type, and every condition holds (`lead` is needed only when {@link needsLeadFacts}). */
export function eventMatches(
  match: EventMatch,
  event: LeadEvent,
  lead?: Pick<LeadFacts, 'traits' | 'rollups'>,
): boolean {
  return match.event === event.type && matchesAll(match.conditions, conditionFacts(event.properties, lead));
}
