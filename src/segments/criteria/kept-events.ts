import { Criteria, CriteriaEvent, durationMs, EventFilter, TimeWindow } from './segment-criteria';
import { holds } from '../../../workflows/lib/conditions';

/**
 * What a segment keeps of each lead's events so that its criteria can be evaluated again
 * later without reading the events collection: the events some criterion could still count,
 * with only the properties a criterion reads. Real-time evaluation adds a batch's events to
 * them; recalculation evaluates them at a later `now`, which is how a lead leaves a
 * time-window segment when time passes.
 */

/** Most events kept per lead and segment; the most recent are kept. */
export const MAX_KEPT_EVENTS = 500;

/** One criterion that reads events: its filter, and how far back it reaches (undefined: all time). */
interface EventLeaf {
  filter: EventFilter;
  window?: TimeWindow;
  /** For `stoppedPerforming`: a relative reach of this many ms. */
  reachMs?: number;
  /** For `firstPerformed`: the first matching event ever is needed, wherever it falls. */
  first?: boolean;
}

function leavesOf(criteria: Criteria): EventLeaf[] {
  if ('and' in criteria) return criteria.and.flatMap(leavesOf);
  if ('or' in criteria) return criteria.or.flatMap(leavesOf);
  if ('not' in criteria) return leavesOf(criteria.not);
  if ('performed' in criteria) return [{ filter: criteria.performed, window: criteria.performed.window }];
  if ('notPerformed' in criteria) return [{ filter: criteria.notPerformed, window: criteria.notPerformed.window }];
  if ('aggregate' in criteria) return [{ filter: criteria.aggregate, window: criteria.aggregate.window }];
  if ('sequence' in criteria)
    return criteria.sequence.steps.map((filter) => ({ filter, window: criteria.sequence.window }));
  if ('firstPerformed' in criteria) return [{ filter: criteria.firstPerformed, first: true }];
  if ('stoppedPerforming' in criteria) {
    const { activeFor, inactiveFor } = criteria.stoppedPerforming;
    return [{ filter: criteria.stoppedPerforming, reachMs: durationMs(activeFor) + durationMs(inactiveFor) }];
  }
  return [];
}

const typesOf = (filter: EventFilter) => (typeof filter.event === 'string' ? [filter.event] : filter.event);

/** The event types the criteria read; events of other types never change a lead's membership. */
export function criteriaEventTypes(criteria: Criteria): string[] {
  return [...new Set(leavesOf(criteria).flatMap(({ filter }) => typesOf(filter)))];
}

/** The event properties the criteria read (conditions and aggregated properties). */
export function criteriaProperties(criteria: Criteria): string[] {
  const aggregated = (c: Criteria): string[] => {
    if ('and' in c) return c.and.flatMap(aggregated);
    if ('or' in c) return c.or.flatMap(aggregated);
    if ('not' in c) return aggregated(c.not);
    if ('aggregate' in c && c.aggregate.property) return [c.aggregate.property];
    return [];
  };
  const conditions = leavesOf(criteria).flatMap(({ filter }) => (filter.where ?? []).map((w) => w.property));
  return [...new Set([...conditions, ...aggregated(criteria)])];
}

/** Whether the criteria read the lead's traits or score (then the lead is read to evaluate them). */
export function readsProfile(criteria: Criteria): boolean {
  if ('and' in criteria) return criteria.and.some(readsProfile);
  if ('or' in criteria) return criteria.or.some(readsProfile);
  if ('not' in criteria) return readsProfile(criteria.not);
  return 'trait' in criteria || 'score' in criteria;
}

/** The earliest time any criterion with a relative or absolute window can still reach; undefined for all time. */
export function criteriaReach(criteria: Criteria, now: Date): Date | undefined {
  let earliest = now.getTime();
  for (const leaf of leavesOf(criteria)) {
    const start = leafStart(leaf, now.getTime());
    if (start === undefined) return undefined;
    earliest = Math.min(earliest, start);
  }
  return new Date(earliest);
}

function leafStart(leaf: EventLeaf, now: number): number | undefined {
  if (leaf.first) return undefined;
  if (leaf.reachMs !== undefined) return now - leaf.reachMs;
  if (!leaf.window) return undefined;
  if ('inLast' in leaf.window) return now - durationMs(leaf.window.inLast);
  return Date.parse(leaf.window.between.from);
}

const matchesFilter = (filter: EventFilter, event: CriteriaEvent) =>
  typesOf(filter).includes(event.type) &&
  (filter.where ?? []).every(({ property, operator, value }) =>
    holds({ source: 'event', field: property, operator, value }, { event: event.properties }),
  );

function leafCanCount(leaf: EventLeaf, event: CriteriaEvent, now: number): boolean {
  if (leaf.first || !matchesFilter(leaf.filter, event)) return false; // a firstPerformed reads only its first
  const t = event.timestamp.getTime();
  if (leaf.window && 'between' in leaf.window)
    return t < Date.parse(leaf.window.between.to) && t >= leafStart(leaf, now)!;
  const start = leafStart(leaf, now);
  return start === undefined || t >= start;
}

/**
 * The events worth keeping at `now`, oldest first: each one some criterion can still count
 * (windows only move forward, so an event that fell out never comes back), plus, for a
 * `firstPerformed`, the first matching event ever. At most MAX_KEPT_EVENTS, the latest,
 * besides those first events; ties in time are broken by id, so every process keeps the same.
 */
export function keptEvents<E extends CriteriaEvent & { id: string }>(
  criteria: Criteria,
  events: readonly E[],
  now: Date,
): E[] {
  const at = now.getTime();
  const leaves = leavesOf(criteria);
  const ordered = [...new Map(events.map((event) => [event.id, event])).values()].sort(
    (a, b) => a.timestamp.getTime() - b.timestamp.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
  const firsts = new Set<E>();
  for (const leaf of leaves.filter((l) => l.first)) {
    const first = ordered.find((event) => matchesFilter(leaf.filter, event));
    if (first) firsts.add(first);
  }
  const countable = ordered.filter(
    (event) => !firsts.has(event) && leaves.some((leaf) => leafCanCount(leaf, event, at)),
  );
  const kept = new Set([...firsts, ...countable.slice(-MAX_KEPT_EVENTS)]);
  return ordered.filter((event) => kept.has(event));
}

/** An event trimmed to what `criteria` read: its type, time and the properties they name. */
export function trimEvent(
  properties: readonly string[],
  event: { id: string; type: string; timestamp: Date; properties?: Record<string, unknown> },
): CriteriaEvent & { id: string } {
  const kept: Record<string, unknown> = {};
  for (const path of properties) {
    const name = path.split('.')[0]; // conditions may read into an object property
    if (event.properties && name in event.properties) kept[name] = event.properties[name];
  }
  return { id: event.id, type: event.type, timestamp: event.timestamp, properties: kept };
}
