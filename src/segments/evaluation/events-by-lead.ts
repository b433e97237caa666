import type { EventsRepository } from '../../events/events.repository';
import {
  criteriaEventTypes,
  criteriaProperties,
  criteriaReach,
  keptEvents,
  MAX_KEPT_EVENTS,
} from '../criteria/kept-events';
import type { Criteria } from '../criteria/segment-criteria';
import type { KeptEvent } from '../segment-member.model';

/**
 * One cursor pass over the stored events `criteria` can count at `at` (their types, inside
 * their reach, trimmed to the properties they read), grouped by lead: what a backfill folds
 * in and a preview evaluates. `onRead` is called every 10,000 events (an activity heartbeat).
 */
export async function eventsByLead(
  events: EventsRepository,
  workspaceId: string,
  criteria: Criteria,
  at: Date,
  onRead: (read: number) => void = () => {},
): Promise<{ byLead: Map<string, KeptEvent[]>; read: number }> {
  const byLead = new Map<string, KeptEvent[]>();
  let read = 0;
  const cursor = events.eventsOfTypes(
    workspaceId,
    criteriaEventTypes(criteria),
    criteriaReach(criteria, at),
    criteriaProperties(criteria),
  );
  for await (const { leadId, ...event } of cursor) {
    let kept = byLead.get(leadId);
    if (!kept) byLead.set(leadId, (kept = []));
    kept.push(event);
    // Bounded per lead as it goes: a lead with 100k page views holds at most twice the cap.
    if (kept.length >= 2 * MAX_KEPT_EVENTS) byLead.set(leadId, keptEvents(criteria, kept, at));
    if (++read % 10_000 === 0) onRead(read);
  }
  return { byLead, read };
}
