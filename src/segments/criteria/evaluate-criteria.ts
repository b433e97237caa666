import { holds } from '../../../workflows/lib/conditions';
import {
  AggregateFunction,
  ComparisonOperator,
  Criteria,
  CriteriaEvent,
  CriteriaFacts,
  durationMs,
  EventFilter,
  TimeWindow,
} from './segment-criteria';

/**
 * Whether a lead meets `criteria` at `now`. Pure: the real-time check of one lead after an
 * event and the tests use it directly; recalculation applies it to leads in batches.
 */
export function matchesCriteria(criteria: Criteria, facts: CriteriaFacts, now: Date): boolean {
  const at = now.getTime();
  // Events after `now` have not happened yet, whatever their client clock said.
  const past = [...facts.events]
    .filter((event) => event.timestamp.getTime() <= at)
    .sort((a, b) => a.timestamp.getTime() - b.timestamp.getTime());
  return evaluate(criteria, { ...facts, events: past }, at);
}

function evaluate(criteria: Criteria, facts: CriteriaFacts, now: number): boolean {
  if ('and' in criteria) return criteria.and.every((child) => evaluate(child, facts, now));
  if ('or' in criteria) return criteria.or.some((child) => evaluate(child, facts, now));
  if ('not' in criteria) return !evaluate(criteria.not, facts, now);
  if ('performed' in criteria) {
    const { minCount = 1, maxCount, window } = criteria.performed;
    const count = matching(facts.events, criteria.performed, window, now).length;
    return count >= minCount && (maxCount === undefined || count <= maxCount);
  }
  if ('notPerformed' in criteria)
    return matching(facts.events, criteria.notPerformed, criteria.notPerformed.window, now).length === 0;
  if ('sequence' in criteria) return inSequence(facts.events, criteria.sequence, now);
  if ('firstPerformed' in criteria) {
    const first = matching(facts.events, criteria.firstPerformed, undefined, now)[0];
    return first !== undefined && inWindow(first, criteria.firstPerformed.window, now);
  }
  if ('stoppedPerforming' in criteria) {
    const { activeFor, inactiveFor } = criteria.stoppedPerforming;
    const quietSince = now - durationMs(inactiveFor);
    const times = matching(facts.events, criteria.stoppedPerforming, undefined, now).map((e) => e.timestamp.getTime());
    return (
      times.some((t) => t >= quietSince - durationMs(activeFor) && t < quietSince) && times.every((t) => t < quietSince)
    );
  }
  if ('trait' in criteria) return holds({ source: 'trait', ...criteria.trait }, { trait: facts.traits });
  if ('score' in criteria)
    return facts.score !== undefined && compare(facts.score, criteria.score.operator, criteria.score.value);
  const { fn, property, operator, value, window } = criteria.aggregate;
  const result = aggregate(fn, matching(facts.events, criteria.aggregate, window, now), property);
  return result !== undefined && compare(result, operator, value);
}

/** The events `filter` selects within `window` (all past ones without), oldest first. */
function matching(
  events: readonly CriteriaEvent[],
  filter: EventFilter,
  window: TimeWindow | undefined,
  now: number,
): CriteriaEvent[] {
  const types = typeof filter.event === 'string' ? [filter.event] : filter.event;
  return events.filter(
    (event) =>
      types.includes(event.type) &&
      (filter.where ?? []).every(({ property, operator, value }) =>
        holds({ source: 'event', field: property, operator, value }, { event: event.properties }),
      ) &&
      (!window || inWindow(event, window, now)),
  );
}

function inWindow(event: CriteriaEvent, window: TimeWindow, now: number): boolean {
  const t = event.timestamp.getTime();
  if ('inLast' in window) return t >= now - durationMs(window.inLast) && t <= now;
  return t >= Date.parse(window.between.from) && t < Date.parse(window.between.to);
}

/**
 * Whether the steps happened in order, the last within `within` of the first. From each
 * start, taking the earliest next step each time ends the sequence as early as possible, so
 * trying every start is exact.
 */
function inSequence(
  events: readonly CriteriaEvent[],
  { steps, within, window }: Extract<Criteria, { sequence: unknown }>['sequence'],
  now: number,
): boolean {
  // Positions in `events` (oldest first): each step must be a later event than the one before.
  const position = new Map(events.map((event, i) => [event, i]));
  const candidates = steps.map((step) => matching(events, step, window, now).map((event) => position.get(event)!));
  const limit = durationMs(within);
  const time = (i: number) => events[i].timestamp.getTime();
  return candidates[0].some((start) => {
    let last = start;
    for (const next of candidates.slice(1)) {
      const found = next.find((i) => i > last);
      if (found === undefined) return false;
      last = found;
    }
    return time(last) - time(start) <= limit;
  });
}

function aggregate(fn: AggregateFunction, events: readonly CriteriaEvent[], property?: string): number | undefined {
  if (fn === 'count') return events.length;
  const values = events.map((event) => event.properties[property!]).filter((v): v is number => typeof v === 'number');
  if (fn === 'sum') return values.reduce((sum, v) => sum + v, 0);
  if (!values.length) return undefined;
  if (fn === 'avg') return values.reduce((sum, v) => sum + v, 0) / values.length;
  return fn === 'min' ? Math.min(...values) : Math.max(...values);
}

function compare(actual: number, operator: ComparisonOperator, expected: number): boolean {
  switch (operator) {
    case 'equals':
      return actual === expected;
    case 'not_equals':
      return actual !== expected;
    case 'greater_than':
      return actual > expected;
    case 'greater_than_or_equal':
      return actual >= expected;
    case 'less_than':
      return actual < expected;
    case 'less_than_or_equal':
      return actual <= expected;
  }
}
