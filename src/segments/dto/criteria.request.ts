import { z } from 'zod';
import { conditionOperators } from '../../../workflows/contracts/journey-definition';
import {
  aggregateFunctions,
  comparisonOperators,
  Criteria,
  EventFilter,
  TimeWindow,
} from '../criteria/segment-criteria';

/**
 * Segment criteria as requests send them: Nudge's criteria language (segment-criteria.ts),
 * or the product spec's `{ logicOperator, eventFilters, frequencyFilters }`, which becomes
 * the same thing. Unknown keys are refused, so a typo names itself.
 */

const MAX_CHILDREN = 50;
/** Deep enough for any real audience, shallow enough that evaluating one stays cheap. */
export const MAX_CRITERIA_DEPTH = 8;

/**
 * An object with exactly one of `branches`' keys, its value parsed by that branch: the
 * criteria language's shape. Unlike a union, a bad value reports its own path and problem
 * (`and[1].performed.event: is required`), not "no branch matched".
 */
function oneKeyOf<T>(branches: Record<string, z.ZodType>): z.ZodType<T> {
  const expected = Object.keys(branches).join(', ');
  return z.unknown().transform((raw, context) => {
    const keys = raw !== null && typeof raw === 'object' && !Array.isArray(raw) ? Object.keys(raw) : [];
    const key = keys.length === 1 && Object.hasOwn(branches, keys[0]) ? keys[0] : undefined;
    if (!key) {
      const found = keys.length ? `has ${keys.map((k) => `"${k}"`).join(', ')}` : 'is not an object with one key';
      context.addIssue({ code: 'custom', message: `${found}; expected exactly one of ${expected}` });
      return z.NEVER;
    }
    const value = parseNested(branches[key], (raw as Record<string, unknown>)[key], context, [key]);
    return value === z.NEVER ? z.NEVER : ({ [key]: value } as T);
  });
}

/** Parses `value` with `schema`, reporting its issues under `path` in the enclosing parse. */
function parseNested<T>(
  schema: z.ZodType<T>,
  value: unknown,
  context: z.RefinementCtx,
  path: PropertyKey[] = [],
): T | typeof z.NEVER {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  for (const issue of parsed.error.issues)
    context.addIssue({ code: 'custom', message: issue.message, path: [...path, ...issue.path] });
  return z.NEVER;
}

const name = z.string().trim().min(1).max(200);
const duration = z.strictObject({
  amount: z.number().int().min(1).max(100_000),
  unit: z.enum(['minutes', 'hours', 'days', 'weeks']),
});
const instant = z.iso.datetime({ offset: true });
const window = oneKeyOf<TimeWindow>({
  inLast: duration,
  between: z
    .strictObject({ from: instant, to: instant })
    .refine(({ from, to }) => Date.parse(from) < Date.parse(to), { message: 'must be after from', path: ['to'] }),
});
const propertyCondition = z.strictObject({
  property: z.string().regex(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/, 'a property name or dotted path'),
  operator: z.enum(conditionOperators),
  value: z.unknown().optional(),
});
const eventFilter = {
  event: z.union([name, z.array(name).min(1).max(MAX_CHILDREN)], {
    error: (issue) => (issue.input === undefined ? 'is required' : 'must be an event type or a list of event types'),
  }),
  where: z.array(propertyCondition).max(20).optional(),
};
const count = z.number().int().min(0).max(1_000_000);

const criteria: z.ZodType<Criteria> = z.lazy(() =>
  oneKeyOf<Criteria>({
    and: z.array(criteria).min(1).max(MAX_CHILDREN),
    or: z.array(criteria).min(1).max(MAX_CHILDREN),
    not: criteria,
    performed: z
      .strictObject({
        ...eventFilter,
        window: window.optional(),
        minCount: count.optional(),
        maxCount: count.optional(),
      })
      .refine((p) => p.maxCount === undefined || p.maxCount >= (p.minCount ?? 1), {
        message: 'must be at least minCount',
        path: ['maxCount'],
      }),
    notPerformed: z.strictObject({ ...eventFilter, window: window.optional() }),
    sequence: z.strictObject({
      steps: z.array(z.strictObject(eventFilter)).min(2).max(10),
      within: duration,
      window: window.optional(),
    }),
    firstPerformed: z.strictObject({ ...eventFilter, window }),
    stoppedPerforming: z.strictObject({ ...eventFilter, activeFor: duration, inactiveFor: duration }),
    trait: z.strictObject({ field: name, operator: z.enum(conditionOperators), value: z.unknown().optional() }),
    score: z.strictObject({ operator: z.enum(comparisonOperators), value: z.number() }),
    aggregate: z
      .strictObject({
        ...eventFilter,
        fn: z.enum(aggregateFunctions),
        property: propertyCondition.shape.property.optional(),
        operator: z.enum(comparisonOperators),
        value: z.number(),
        window: window.optional(),
      })
      .refine((a) => a.fn === 'count' || a.property !== undefined, {
        message: 'is required for sum, avg, min and max',
        path: ['property'],
      }),
  }),
);

/** The product spec's CreateSegmentRequest criteria. */
const specCriteria = z
  .strictObject({
    logicOperator: z.enum(['AND', 'OR']).default('AND'),
    eventFilters: z
      .array(
        z.strictObject({
          eventType: name,
          minFrequency: count.min(1).optional(),
          /** Property values the events must have (equality). */
          properties: z.record(z.string(), z.unknown()).optional(),
        }),
      )
      .max(MAX_CHILDREN)
      .default([]),
    frequencyFilters: z
      .array(
        z.strictObject({
          eventTypes: z.array(name).min(1).max(MAX_CHILDREN),
          minCount: count.min(1),
          timeRange: z.strictObject({ start: instant, end: instant }).optional(),
        }),
      )
      .max(MAX_CHILDREN)
      .default([]),
  })
  .refine((spec) => spec.eventFilters.length + spec.frequencyFilters.length > 0, {
    message: 'has no eventFilters and no frequencyFilters: a segment needs at least one filter',
  });

const isSpecShape = (raw: unknown) =>
  typeof raw === 'object' &&
  raw !== null &&
  ['logicOperator', 'eventFilters', 'frequencyFilters'].some((k) => k in raw);

/** Criteria in either shape, normalized to Nudge's language; errors name the path under `criteria`. */
export const criteriaSchema: z.ZodType<Criteria> = z.unknown().transform((raw, context): Criteria => {
  const normalized = isSpecShape(raw)
    ? parseNested(specCriteria.transform(fromSpec), raw, context)
    : parseNested(criteria, raw, context);
  if (normalized === z.NEVER) return z.NEVER;
  if (depthOf(normalized) > MAX_CRITERIA_DEPTH) {
    context.addIssue({ code: 'custom', message: `nests deeper than ${MAX_CRITERIA_DEPTH} levels` });
    return z.NEVER;
  }
  return normalized;
});

function fromSpec({ logicOperator, eventFilters, frequencyFilters }: z.output<typeof specCriteria>): Criteria {
  const children: Criteria[] = [
    ...eventFilters.map(({ eventType, minFrequency, properties }): Criteria => {
      const where = Object.entries(properties ?? {}).map(([property, value]) => ({
        property,
        operator: 'equals' as const,
        value,
      }));
      const filter: EventFilter = { event: eventType, ...(where.length && { where }) };
      return { performed: { ...filter, minCount: minFrequency ?? 1 } };
    }),
    ...frequencyFilters.map(({ eventTypes, minCount, timeRange }): Criteria => ({
      performed: {
        event: eventTypes,
        minCount,
        ...(timeRange && { window: { between: { from: timeRange.start, to: timeRange.end } } }),
      },
    })),
  ];
  return logicOperator === 'AND' ? { and: children } : { or: children };
}

function depthOf(criteria: Criteria): number {
  if ('and' in criteria) return 1 + Math.max(...criteria.and.map(depthOf));
  if ('or' in criteria) return 1 + Math.max(...criteria.or.map(depthOf));
  if ('not' in criteria) return 1 + depthOf(criteria.not);
  return 1;
}
