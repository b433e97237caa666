import { encodeKey } from '../../leads/field-keys';
import { MAX_KEPT_EVENTS } from './kept-events';
import type { Criteria, EventFilter } from './segment-criteria';

/** A MongoDB query over the leads collection. */
export type LeadFilter = Record<string, unknown>;

/**
 * `criteria` as a query over the leads' write-time rollups and traits, when every part of
 * it can be answered from them: all-time counts of an event type (`countsByType`), traits
 * and score. Anything reading event properties, time windows, order or sums answers
 * undefined, and is evaluated over events instead. The query selects exactly the leads
 * {@link matchesCriteria} would, for the values JSON carries (see rollup-filter.spec.ts).
 */
export function rollupFilter(criteria: Criteria): LeadFilter | undefined {
  if ('and' in criteria) return allOf(criteria.and.map(rollupFilter), '$and');
  if ('or' in criteria) return allOf(criteria.or.map(rollupFilter), '$or');
  if ('not' in criteria) {
    const inner = rollupFilter(criteria.not);
    return inner && { $nor: [inner] };
  }
  if ('performed' in criteria) {
    const { window, minCount = 1, maxCount } = criteria.performed;
    if (window || !countable(criteria.performed, Math.max(minCount, maxCount ?? 0))) return undefined;
    return countBetween(criteria.performed.event, minCount, maxCount);
  }
  if ('notPerformed' in criteria) {
    if (criteria.notPerformed.window || !countable(criteria.notPerformed, 0)) return undefined;
    return countBetween(criteria.notPerformed.event, 0, 0);
  }
  if ('aggregate' in criteria) {
    const { fn, window, operator, value } = criteria.aggregate;
    if (fn !== 'count' || window || !Number.isInteger(value) || !countable(criteria.aggregate, value + 1))
      return undefined;
    const events = criteria.aggregate.event;
    switch (operator) {
      case 'equals':
        return countBetween(events, value, value);
      case 'not_equals':
        return notOf(countBetween(events, value, value));
      case 'greater_than':
        return countBetween(events, value + 1);
      case 'greater_than_or_equal':
        return countBetween(events, value);
      case 'less_than':
        return countBetween(events, 0, value - 1);
      case 'less_than_or_equal':
        return countBetween(events, 0, value);
    }
  }
  if ('trait' in criteria) {
    const { field, operator, value } = criteria.trait;
    // A path MongoDB would read otherwise (`$` operators, empty parts) is evaluated over events.
    const plainPath = field.split('.').every((part) => part !== '' && !part.startsWith('$'));
    return plainPath ? traitFilter(`traits.${field}`, operator, value) : undefined;
  }
  if ('score' in criteria) {
    const { operator, value } = criteria.score;
    // A lead without a numeric score meets no score condition, not_equals included.
    return operator === 'not_equals' ? undefined : traitFilter('traits.score', operator, value);
  }
  return undefined;
}

/** Matches no lead: `_id` is never null. */
const NOTHING: LeadFilter = { _id: null };

const allOf = (filters: Array<LeadFilter | undefined>, operator: '$and' | '$or') =>
  filters.every((filter) => filter !== undefined) ? { [operator]: filters } : undefined;

const notOf = (filter: LeadFilter | undefined) => filter && { $nor: [filter] };

/**
 * Counts the events evaluation counts too: no property condition, and a threshold
 * evaluation can reach (it keeps at most MAX_KEPT_EVENTS events per lead, so both answer alike).
 */
const countable = (filter: EventFilter, threshold: number) => !filter.where?.length && threshold <= MAX_KEPT_EVENTS;

/**
 * Leads with between `min` and `max` (inclusive) events of the type(s); a missing counter
 * is 0. Several types are counted together, which one counter per type answers only for
 * "at least one" and "none".
 */
function countBetween(event: string | string[], min: number, max?: number): LeadFilter | undefined {
  const types = typeof event === 'string' ? [event] : event;
  const counter = (type: string) => `countsByType.${encodeKey(type)}`;
  if (max !== undefined && max < min) return NOTHING;
  if (types.length > 1) {
    const any = { $or: types.map((type) => ({ [counter(type)]: { $gte: 1 } })) };
    if (max === 0) return { $nor: [any] };
    if (max !== undefined || min > 1) return undefined;
    return min === 1 ? any : {};
  }
  const field = counter(types[0]);
  const parts: LeadFilter[] = [];
  if (min > 0) parts.push({ [field]: { $gte: min } });
  if (max !== undefined) parts.push({ $nor: [{ [field]: { $gt: max } }] });
  return parts.length === 0 ? {} : parts.length === 1 ? parts[0] : { $and: parts };
}

/** Not an array: an array's first element exists. MongoDB matches an array by its elements; evaluation does not. */
const notArray = (field: string) => ({ [`${field}.0`]: { $exists: false } });

const isScalar = (value: unknown) =>
  typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value));

/** A condition on a trait as {@link holds} reads it, or undefined where MongoDB's matching would differ. */
function traitFilter(field: string, operator: string, value: unknown): LeadFilter | undefined {
  const equals = (expected: unknown) => ({ $and: [{ [field]: expected }, notArray(field)] });
  switch (operator) {
    // An array is a value, whatever it holds; MongoDB would match `null` inside one.
    case 'exists':
      return { $or: [{ [field]: { $ne: null } }, { [`${field}.0`]: { $exists: true } }] };
    case 'not_exists':
      return { $and: [{ [field]: null }, notArray(field)] };
    case 'equals':
      return isScalar(value) ? equals(value) : undefined;
    case 'not_equals':
      return isScalar(value) ? { $nor: [equals(value)] } : undefined;
    case 'in':
      return Array.isArray(value) && value.every(isScalar)
        ? { $and: [{ [field]: { $in: value } }, notArray(field)] }
        : undefined;
    case 'greater_than':
    case 'greater_than_or_equal':
    case 'less_than':
    case 'less_than_or_equal': {
      // MongoDB compares numbers with numbers and strings with strings, as evaluation does.
      if (typeof value !== 'string' && !(typeof value === 'number' && Number.isFinite(value))) return undefined;
      const op = { greater_than: '$gt', greater_than_or_equal: '$gte', less_than: '$lt', less_than_or_equal: '$lte' }[
        operator
      ];
      return { $and: [{ [field]: { [op]: value } }, notArray(field)] };
    }
    default:
      return undefined; // contains: a substring or an array element, which MongoDB tells apart differently
  }
}
