import type {
  Condition,
  EventMatch,
  JourneyDefinition,
  JourneyStep,
} from '../../../workflows/contracts/journey-definition';
import { ConditionFacts, matchesAll } from '../../../workflows/lib/conditions';
import { nestedSteps } from '../../../workflows/lib/nested-steps';

/** A published journey version as the matcher needs it. */
export interface MatchableJourney {
  journeyId: string;
  version: number;
  definition: JourneyDefinition;
  /** Only active journeys take new entries; paused and archived ones still have runs to watch. */
  acceptsEntries: boolean;
}

export interface EventToMatch {
  type: string;
  properties: Record<string, unknown>;
}

export interface MatchResult {
  /** Journeys whose trigger matched on the event alone, highest priority first. */
  entries: MatchableJourney[];
  /** Whether any of those entries still needs the lead's traits or rollups to decide. */
  needsLead: boolean;
  /** Whether a running journey may care about this event (exit, goal, wait-for). */
  watched: boolean;
}

const noMatch: MatchResult = { entries: [], needsLead: false, watched: false };
const readsLead = (c: Condition) => c.source !== 'event';

/**
 * A workspace's journeys, compiled once into lookups by event type, so the 99 % of events
 * no journey cares about cost one Map lookup. Conditions are evaluated by the same pure
 * code the journey workflow uses (workflows/lib/conditions).
 */
export class TriggerMatcher {
  private readonly entriesByType = new Map<string, MatchableJourney[]>();
  private readonly watchedTypes = new Set<string>();

  constructor(journeys: readonly MatchableJourney[]) {
    const byPriority = [...journeys].sort(
      (a, b) => b.definition.priority - a.definition.priority || a.journeyId.localeCompare(b.journeyId),
    );
    for (const journey of byPriority) {
      const { trigger, exitOn, goal, steps } = journey.definition;
      if (journey.acceptsEntries) {
        const list = this.entriesByType.get(trigger.event) ?? [];
        this.entriesByType.set(trigger.event, [...list, journey]);
      }
      for (const match of [...exitOn, ...(goal ? [goal] : []), ...waitedForEvents(steps)])
        this.watchedTypes.add(match.event);
    }
  }

  /** The first pass, on the event alone: lead conditions are left for {@link admit}. */
  match(event: EventToMatch): MatchResult {
    const candidates = this.entriesByType.get(event.type);
    const watched = this.watchedTypes.has(event.type);
    if (!candidates && !watched) return noMatch;
    const facts: ConditionFacts = { event: event.properties };
    const entries = (candidates ?? []).filter(({ definition }) =>
      matchesAll(
        definition.trigger.conditions.filter((c) => !readsLead(c)),
        facts,
      ),
    );
    return { entries, watched, needsLead: entries.some((e) => e.definition.trigger.conditions.some(readsLead)) };
  }

  /** The second pass, with the lead's traits and rollups: the entries whose every condition holds. */
  admit(entries: readonly MatchableJourney[], facts: ConditionFacts): MatchableJourney[] {
    return entries.filter(({ definition }) => matchesAll(definition.trigger.conditions, facts));
  }
}

function waitedForEvents(steps: readonly JourneyStep[]): EventMatch[] {
  return steps.flatMap((step) => [
    ...(step.type === 'wait_for' ? [step.event] : []),
    ...nestedSteps(step).flatMap(([, nested]) => waitedForEvents(nested)),
  ]);
}
