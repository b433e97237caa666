import { HttpStatus } from '@nestjs/common';
import { z } from 'zod';
import {
  Condition,
  conditionOperators,
  ConditionSource,
  JourneyDefinition,
  JourneyStep,
} from '../../../../workflows/contracts/journey-definition';
import { AppError } from '../../../common/app-error';
import { describeZodError, parseRequest } from '../../../common/validation';
import { cooldownMinutesSchema, journeyDefinitionSchema, prioritySchema } from '../../dto/journey-definition.request';
import { CommonErrorCode } from '../../../common/error-codes';

/**
 * The product spec's CreateTriggerRequest (`POST /api/behavior/triggers`) and its reading
 * as a journey. A trigger is a journey with a straight line of steps: each action waits its
 * `delay` (minutes after the previous action, as the spec's "wait 1 hour … wait 2 hours"
 * reads) and then runs.
 */

/** The spec's condition `type`s and the journey condition source each reads. */
const conditionTypes: Record<string, ConditionSource> = {
  behavior: 'event',
  event: 'event',
  property: 'event',
  lead: 'trait',
  trait: 'trait',
  profile: 'trait',
  rollup: 'rollup',
  aggregate: 'rollup',
};

/**
 * The event that completes what a trigger event abandons: a run is cancelled when it
 * arrives (the spec's "cancelled if the lead submits the form"). `exitOn` overrides it.
 */
const completingEvents: Record<string, string[]> = {
  form_abandon: ['form_submit'],
  form_start: ['form_submit'],
  application_start: ['application_complete'],
  checkout_started: ['order_completed'],
  added_to_cart: ['order_completed'],
};

const actionTypes = ['send_email', 'send_sms', 'assign_agent', 'create_task', 'webhook', 'update_lead'] as const;

const text = (max: number) => z.string().trim().min(1).max(max);
const parameters = z.record(z.string(), z.unknown()).default({});

export const createTriggerSchema = z.object({
  name: text(200),
  description: z.string().max(2000).optional(),
  event: text(200),
  conditions: z
    .array(
      z.object({
        id: z.string().max(100).optional(),
        type: z.enum(Object.keys(conditionTypes) as [string, ...string[]]).default('behavior'),
        field: z.string().regex(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/, 'a field name or dotted path'),
        operator: z.enum(conditionOperators),
        value: z.unknown().optional(),
      }),
    )
    .max(20)
    .default([]),
  actions: z
    .array(
      z.object({
        id: z.string().max(100).optional(),
        action: z.enum(actionTypes),
        parameters,
        delay: z
          .number()
          .int()
          .min(0)
          .max(366 * 24 * 60)
          .default(0),
      }),
    )
    .min(1)
    .max(50),
  targetSegments: z.array(text(100)).max(50).default([]),
  cooldown: cooldownMinutesSchema,
  priority: prioritySchema,
  /** Not in the spec: event types that cancel a run; defaults to the trigger's completing event. */
  exitOn: z.array(text(200)).max(20).optional(),
});

export type CreateTriggerRequest = z.infer<typeof createTriggerSchema>;
type TriggerAction = CreateTriggerRequest['actions'][number];

/**
 * Reads a CreateTriggerRequest as a validated journey definition, or throws a 400 naming
 * the request's own fields (`actions[0].parameters.template`), not the journey's.
 */
export function readTriggerRequest(body: unknown): {
  request: CreateTriggerRequest;
  definition: JourneyDefinition;
  /** Turns a journey error message's `steps[i]` paths into the request's `actions[j].parameters`. */
  inRequestTerms: (message: string) => string;
} {
  const request = parseRequest(createTriggerSchema, body);
  const { definition, stepActions } = toJourneyDefinition(request);
  const inRequestTerms = (message: string) =>
    message.replace(/\bsteps\[(\d+)\]/g, (_, index: string) => `actions[${stepActions[Number(index)]}].parameters`);
  const result = journeyDefinitionSchema.safeParse(definition);
  if (result.success) return { request, definition: result.data, inRequestTerms };
  const issues = result.error.issues.map((issue) => ({ ...issue, path: requestPath(issue.path, stepActions) }));
  throw new AppError(
    CommonErrorCode.ValidationFailed,
    HttpStatus.BAD_REQUEST,
    describeZodError(new z.ZodError(issues)),
  );
}

/** `steps[3].template` → `actions[1].parameters.template`; other paths keep their names. */
function requestPath(path: PropertyKey[], stepActions: number[]): PropertyKey[] {
  const [root, index, ...rest] = path;
  if (root !== 'steps' || typeof index !== 'number') return path;
  return ['actions', stepActions[index], 'parameters', ...rest];
}

/** The journey a trigger stands for, and which action each step came from. */
export function toJourneyDefinition(request: CreateTriggerRequest): {
  definition: JourneyDefinition;
  stepActions: number[];
} {
  const conditions: Condition[] = request.conditions.map(({ type, field, operator, value }) => ({
    source: conditionTypes[type],
    field,
    operator,
    value,
  }));
  const stepActions: number[] = [];
  const steps = request.actions.flatMap((action, index): JourneyStep[] => {
    const id = stepId(action, index);
    const step = toStep(id, action);
    const line: JourneyStep[] =
      action.delay > 0 ? [{ id: `wait-before-${id}`, type: 'wait', minutes: action.delay }, step] : [step];
    stepActions.push(...line.map(() => index));
    return line;
  });
  const exits = request.exitOn ?? completingEvents[request.event] ?? [];
  const definition: JourneyDefinition = {
    name: request.name,
    description: request.description,
    trigger: { event: request.event, conditions },
    exitOn: exits.map((event) => ({ event, conditions: [] })),
    goal: exits.length ? { event: exits[0], conditions: [] } : undefined,
    reentry: 'after_exit',
    cooldownMinutes: request.cooldown,
    priority: request.priority,
    targetSegments: request.targetSegments.length ? request.targetSegments : undefined,
    steps,
  };
  return { definition, stepActions };
}

function stepId(action: TriggerAction, index: number): string {
  const fromId = (action.id ?? '')
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40);
  return fromId || `action-${index + 1}`;
}

/** Parameters pass through under the journey step's own names; the journey schema checks them. */
function toStep(id: string, { action, parameters: p }: TriggerAction): JourneyStep {
  switch (action) {
    case 'send_email':
      return { id, type: action, template: p.template as string, subject: p.subject as string | undefined };
    case 'send_sms':
      return { id, type: action, template: p.template as string };
    case 'assign_agent':
      return {
        id,
        type: action,
        strategy: (p.strategy as 'round_robin' | 'least_loaded' | undefined) ?? 'round_robin',
        matchTrait: p.matchTrait as string | undefined,
        reason: p.reason as string | undefined,
      };
    case 'create_task':
      return {
        id,
        type: action,
        title: (p.title ?? p.reason) as string,
        dueInMinutes: p.dueInMinutes as number | undefined,
      };
    case 'webhook':
      return {
        id,
        type: action,
        url: p.url as string,
        method: (p.method as 'POST' | 'PUT' | undefined) ?? 'POST',
        body: p.body as Record<string, unknown> | undefined,
      };
    case 'update_lead':
      return {
        id,
        type: action,
        setTraits: (p.setTraits ?? p.traits) as Record<string, unknown> | undefined,
        addTags: (p.addTags ?? p.tags) as string[] | undefined,
      };
  }
}
