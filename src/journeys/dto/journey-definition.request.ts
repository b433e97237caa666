import { z } from 'zod';
import {
  Condition,
  conditionOperators,
  EventMatch,
  JourneyDefinition,
  JourneyStep,
  QuietHours,
} from '../../../workflows/contracts/journey-definition';
import { nestedSteps } from '../../../workflows/lib/nested-steps';

/**
 * Validation of journey definitions. Each schema is typed by its contract type, so the
 * compiler keeps what the API accepts and what the workflow interprets the same.
 */

const id = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'lowercase letters, digits, "_" or "-", at most 64');
const minutes = z
  .number()
  .int()
  .min(1)
  .max(366 * 24 * 60);
const fieldPath = z.string().regex(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/, 'a field name or dotted path');

const condition: z.ZodType<Condition> = z
  .object({
    source: z.enum(['event', 'trait', 'rollup']),
    field: fieldPath,
    operator: z.enum(conditionOperators),
    value: z.unknown().optional(),
  })
  .refine((c) => c.operator === 'exists' || c.operator === 'not_exists' || c.value !== undefined, {
    message: 'is required for this operator',
    path: ['value'],
  })
  .refine((c) => c.operator !== 'in' || Array.isArray(c.value), {
    message: 'must be an array for "in"',
    path: ['value'],
  });

const eventMatch: z.ZodType<EventMatch> = z.object({
  event: z.string().trim().min(1).max(200),
  conditions: z.array(condition).max(20).default([]),
});

const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'HH:MM on a 24-hour clock');
const quietHours: z.ZodType<QuietHours> = z
  .object({ start: clock, end: clock })
  .refine((q) => q.start !== q.end, { message: 'must differ from start', path: ['end'] });

const step: z.ZodType<JourneyStep> = z.lazy(() =>
  z.discriminatedUnion('type', [
    z.object({ id, type: z.literal('wait'), minutes }),
    z.object({
      id,
      type: z.literal('wait_for'),
      event: eventMatch,
      timeoutMinutes: minutes,
      onEvent: steps,
      onTimeout: steps,
    }),
    z.object({
      id,
      type: z.literal('branch'),
      match: z.enum(['all', 'any']).default('all'),
      conditions: z.array(condition).min(1).max(20),
      then: steps,
      else: steps,
    }),
    z.object({ id, type: z.literal('send_email'), template: id, subject: z.string().max(200).optional() }),
    z.object({ id, type: z.literal('send_sms'), template: id }),
    z.object({
      id,
      type: z.literal('assign_agent'),
      strategy: z.enum(['round_robin', 'least_loaded']).default('round_robin'),
      matchTrait: fieldPath.optional(),
      reason: z.string().max(500).optional(),
    }),
    z.object({
      id,
      type: z.literal('create_task'),
      title: z.string().min(1).max(200),
      dueInMinutes: minutes.optional(),
    }),
    z.object({
      id,
      type: z.literal('webhook'),
      url: z.url({ protocol: /^https?$/ }),
      method: z.enum(['POST', 'PUT']).default('POST'),
      body: z.record(z.string(), z.unknown()).optional(),
    }),
    z.object({
      id,
      type: z.literal('update_lead'),
      setTraits: z.record(z.string().regex(/^[^$.]+$/, 'no "$" or "."'), z.unknown()).optional(),
      addTags: z.array(z.string().min(1).max(100)).max(50).optional(),
    }),
    z
      .object({
        id,
        type: z.literal('experiment'),
        experimentId: id,
        variants: z.record(id, steps).default({}),
        holdoutVariantId: id.optional(),
        otherwise: steps,
      })
      .refine((s) => !s.holdoutVariantId || !s.variants[s.holdoutVariantId]?.length, {
        message: 'a holdout receives nothing: give its variant no steps',
        path: ['holdoutVariantId'],
      }),
    z.object({ id, type: z.literal('exit') }),
  ]),
);
const steps: z.ZodType<JourneyStep[]> = z.lazy(() => z.array(step).max(100).default([]));

/** Minutes before a lead may enter the journey again, up to a year. */
export const cooldownMinutesSchema = z
  .number()
  .int()
  .min(0)
  .max(366 * 24 * 60)
  .default(0);

/** Which journey an event enters first when it matches several: the highest. */
export const prioritySchema = z.number().int().min(0).max(1000).default(50);

export const journeyDefinitionSchema: z.ZodType<JourneyDefinition> = z
  .object({
    name: z.string().trim().min(1).max(200),
    description: z.string().max(2000).optional(),
    trigger: eventMatch,
    exitOn: z.array(eventMatch).max(20).default([]),
    reentry: z.enum(['never', 'after_exit', 'always']).default('after_exit'),
    cooldownMinutes: cooldownMinutesSchema,
    priority: prioritySchema,
    goal: eventMatch.optional(),
    quietHours: quietHours.optional(),
    targetSegments: z.array(z.string().trim().min(1).max(100)).max(50).optional(),
    steps: z.array(step).min(1).max(100),
  })
  .superRefine((definition, context) => {
    const seen = new Set<string>();
    walkSteps(definition.steps, (s, path) => {
      if (seen.has(s.id))
        context.addIssue({ code: 'custom', message: `step id "${s.id}" is used twice`, path: [...path, 'id'] });
      seen.add(s.id);
    });
  });

/** Visits every step, nested ones included, with its path in the definition. */
export function walkSteps(
  list: readonly JourneyStep[],
  visit: (step: JourneyStep, path: PropertyKey[]) => void,
  path: PropertyKey[] = ['steps'],
): void {
  list.forEach((s, index) => {
    const here = [...path, index];
    visit(s, here);
    for (const [key, nested] of nestedSteps(s)) walkSteps(nested, visit, [...here, ...key]);
  });
}
