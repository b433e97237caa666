import type { Condition, ConditionSource } from '../contracts/journey-definition';

/**
 * Evaluates journey conditions. Pure and deterministic: the API's trigger matcher and the
 * journey workflow's branch step both use it, so they can never disagree on a match.
 */

/** What conditions read: the triggering event's properties, the lead's traits and rollups. */
export type ConditionFacts = Partial<Record<ConditionSource, Record<string, unknown>>>;

/** Whether every condition holds (an empty list always holds). */
export function matchesAll(conditions: readonly Condition[], facts: ConditionFacts): boolean {
  return conditions.every((condition) => holds(condition, facts));
}

/** Whether at least one condition holds. */
export function matchesAny(conditions: readonly Condition[], facts: ConditionFacts): boolean {
  return conditions.some((condition) => holds(condition, facts));
}

export function holds({ source, field, operator, value }: Condition, facts: ConditionFacts): boolean {
  const actual = readPath(facts[source], field);
  switch (operator) {
    case 'exists':
      return actual !== undefined && actual !== null;
    case 'not_exists':
      return actual === undefined || actual === null;
    case 'equals':
      return sameValue(actual, value);
    case 'not_equals':
      return !sameValue(actual, value);
    case 'greater_than':
      return compare(actual, value, (a, b) => a > b);
    case 'greater_than_or_equal':
      return compare(actual, value, (a, b) => a >= b);
    case 'less_than':
      return compare(actual, value, (a, b) => a < b);
    case 'less_than_or_equal':
      return compare(actual, value, (a, b) => a <= b);
    case 'contains':
      if (typeof actual === 'string') return typeof value === 'string' && actual.includes(value);
      return Array.isArray(actual) && actual.some((item) => sameValue(item, value));
    case 'in':
      return Array.isArray(value) && value.some((item) => sameValue(actual, item));
  }
}

/** `a.b.c` in a plain object; own properties only, so `constructor` is never a match. */
export function readPath(object: Record<string, unknown> | undefined, path: string): unknown {
  let current: unknown = object;
  for (const key of path.split('.')) {
    if (current === null || typeof current !== 'object' || !Object.hasOwn(current, key)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/** Numbers compare as numbers and strings as strings; anything else, or a mix, never matches. */
function compare(
  actual: unknown,
  expected: unknown,
  test: (a: number | string, b: number | string) => boolean,
): boolean {
  const bothNumbers = typeof actual === 'number' && typeof expected === 'number';
  const bothStrings = typeof actual === 'string' && typeof expected === 'string';
  return (bothNumbers || bothStrings) && test(actual, expected);
}

function sameValue(actual: unknown, expected: unknown): boolean {
  return actual === expected || (Number.isNaN(actual) && Number.isNaN(expected));
}
