import { rulesOf, type EntryDecision, type JourneyEntry, type LeadJourneyHistory } from '../contracts/lead.contract';

/**
 * The rules a lead workflow applies to each event: dedupe, the order matched journeys are
 * considered in, and whether one may start a run. Pure, so they are unit tested here and
 * replay identically in the workflow.
 */

/** How many messageIds a lead remembers: enough to cover a producer's redelivery window. */
export const SEEN_LIMIT = 1000;

/**
 * Records `messageId` in `seen` (oldest first, at most `limit`, oldest dropped) and tells
 * whether it is new. Mutates `seen`: it is the lead's durable state.
 */
export function rememberMessage(seen: string[], messageId: string, limit = SEEN_LIMIT): boolean {
  if (seen.includes(messageId)) return false;
  appendBounded(seen, messageId, limit);
  return true;
}

/** Highest priority first; ties by journeyId, so every replay considers them in one order. */
export function byPriority(entries: readonly JourneyEntry[]): JourneyEntry[] {
  return [...entries].sort(
    (a, b) =>
      rulesOf(b).priority - rulesOf(a).priority || (a.journeyId < b.journeyId ? -1 : a.journeyId > b.journeyId ? 1 : 0),
  );
}

export type Admission = EntryDecision['decision'];

/**
 * Whether a lead may start `entry` now (workflow time, ms), given what it remembers of that
 * journey. The cooldown is real time: waitScale speeds up a journey's waits, not its rules.
 */
export function admit(history: LeadJourneyHistory | undefined, entry: JourneyEntry, now: number): Admission {
  if (!history) return 'started';
  const { reentry, cooldownMinutes } = rulesOf(entry);
  if (reentry === 'never' && history.entries > 0) return 'already_entered';
  if (reentry === 'after_exit' && history.activeRuns.length > 0) return 'already_active';
  if (now - history.lastEnteredAt < cooldownMinutes * 60_000) return 'cooldown';
  return 'started';
}

/** Appends to a bounded list (oldest dropped). */
export function appendBounded<T>(list: T[], item: T, limit: number): void {
  list.push(item);
  if (list.length > limit) list.splice(0, list.length - limit);
}
