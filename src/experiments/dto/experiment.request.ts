import { z } from 'zod';
import { criteriaSchema } from '../../segments/dto/criteria.request';
import { rollupFilter } from '../../segments/criteria/rollup-filter';
import {
  allocationMethods,
  experimentStatuses,
  experimentTypes,
  multipleTestingCorrections,
  type Metric,
  type Variant,
} from '../experiment.model';

/**
 * Settings an experiment gets when it does not say: the product spec's EXPERIMENT_* values,
 * which the environment can change (ExperimentsService reads them), and Holm, hourly.
 */
export const DEFAULT_SETTINGS = {
  significance: 0.05,
  minSamplePerVariant: 100,
  durationDays: 14,
  correction: 'holm',
  analyseEveryMinutes: 60,
} as const;

const lowercased = <T extends readonly [string, ...string[]]>(values: T) =>
  z.preprocess((value) => (typeof value === 'string' ? value.toLowerCase() : value), z.enum(values));

const slug = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'lowercase letters, digits, "-" or "_", at most 64');

/** A variant as sent: the spec's `trafficPercentage` (0–100) or Nudge's `weight` (0–1). */
const variantSchema = z.strictObject({
  id: slug.optional(),
  name: z.string().trim().min(1).max(200),
  description: z.string().max(2_000).optional(),
  weight: z.number().min(0).max(1).optional(),
  trafficPercentage: z.number().min(0).max(100).optional(),
  content: z.record(z.string(), z.unknown()).default({}),
  isControl: z.boolean().default(false),
});

const metricSchema = z
  .strictObject({
    id: slug.optional(),
    kind: z.enum(['conversion', 'count', 'value']).default('conversion'),
    event: z.string().trim().min(1).max(200),
    property: z.string().trim().min(1).max(200).optional(),
    windowHours: z
      .number()
      .positive()
      .max(24 * 365)
      .optional(),
  })
  .refine((metric) => metric.kind !== 'value' || metric.property, {
    path: ['property'],
    message: 'is required for a value metric (the numeric property summed, such as revenue)',
  });

const settingsSchema = z.strictObject({
  significance: z.number().gt(0).lt(0.5).optional(),
  minSamplePerVariant: z.number().int().min(2).max(10_000_000).optional(),
  durationDays: z.number().int().min(1).max(365).optional(),
  correction: z.enum(multipleTestingCorrections).optional(),
  analyseEveryMinutes: z.number().int().min(1).max(10_080).optional(),
});

const allocationSchema = z.strictObject({
  method: z.enum(allocationMethods),
  segments: z.array(slug).max(20).optional(),
  criteria: criteriaSchema.optional(),
});

const layerSchema = z
  .strictObject({ id: slug, start: z.number().min(0).max(1), end: z.number().min(0).max(1) })
  .refine((layer) => layer.start < layer.end, { path: ['end'], message: 'must be greater than start' });

/**
 * The spec's CreateExperimentRequest (name, description, type, hypothesis, successMetrics,
 * targetSegments, trafficAllocation {total, allocationMethod, variants}, variants) and Nudge's
 * own fields (id, coverage, allocation, metrics, layer, seed, dates, settings), made into one
 * shape: variants with weights summing to 1 and one control, a primary metric, an allocation.
 */
export const createExperimentSchema = z
  .strictObject({
    id: slug.optional(),
    name: z.string().trim().min(1).max(200),
    description: z.string().max(2_000).optional(),
    hypothesis: z.string().max(2_000).optional(),
    type: lowercased(experimentTypes).default('content'),
    status: z.enum(['draft', 'scheduled', 'running']).default('draft'),
    variants: z.array(variantSchema).min(2).max(20).optional(),
    trafficAllocation: z
      .strictObject({
        total: z.number().min(0).max(100).default(100),
        allocationMethod: lowercased(allocationMethods).default('random'),
        variants: z.array(variantSchema).min(2).max(20).optional(),
      })
      .optional(),
    coverage: z.number().min(0).max(1).optional(),
    allocation: allocationSchema.optional(),
    targetSegments: z.array(slug).max(20).optional(),
    successMetrics: z.array(z.string().trim().min(1).max(200)).min(1).max(20).optional(),
    metrics: z
      .strictObject({ primary: metricSchema, guardrails: z.array(metricSchema).max(20).default([]) })
      .optional(),
    layer: layerSchema.optional(),
    seed: z.string().min(1).max(200).optional(),
    startAt: z.coerce.date().optional(),
    endAt: z.coerce.date().optional(),
    settings: settingsSchema.default({}),
    tags: z.array(z.string().trim().min(1).max(100)).max(50).default([]),
  })
  .transform((request, context) => {
    const issue = (path: PropertyKey[], message: string) => {
      context.addIssue({ code: 'custom', path, message });
      return z.NEVER;
    };
    const sent = request.variants ?? request.trafficAllocation?.variants;
    const variantsPath = request.variants ? ['variants'] : ['trafficAllocation', 'variants'];
    if (!sent) return issue(['variants'], 'is required: at least two variants, one of them the control');
    const variants = toVariants(sent);
    if (typeof variants === 'string') return issue(variantsPath, variants);
    const metrics = request.metrics ?? fromSuccessMetrics(request.successMetrics);
    if (!metrics) return issue(['metrics'], "is required (metrics.primary, or the spec's successMetrics)");
    const method = request.allocation?.method ?? request.trafficAllocation?.allocationMethod ?? 'random';
    const segments = request.allocation?.segments ?? request.targetSegments ?? [];
    if (method === 'segment' && !segments.length)
      return issue(['allocation', 'segments'], 'is required for segment-based allocation (or targetSegments)');
    const criteria = request.allocation?.criteria;
    if (method === 'behavior' && !criteria)
      return issue(['allocation', 'criteria'], 'is required for behavior-based allocation');
    if (criteria && !rollupFilter(criteria))
      return issue(
        ['allocation', 'criteria'],
        'must be answerable from all-time counts, traits and score; for windows or event properties, target a segment',
      );
    if (request.startAt && request.endAt && request.endAt <= request.startAt)
      return issue(['endAt'], 'must be after startAt');
    return {
      id: request.id,
      name: request.name,
      description: request.description,
      hypothesis: request.hypothesis,
      type: request.type,
      status: request.status,
      variants,
      coverage: request.coverage ?? (request.trafficAllocation ? request.trafficAllocation.total / 100 : 1),
      allocation: { method, ...(segments.length && { segments }), ...(criteria && { criteria }) },
      primaryMetric: withId(metrics.primary, 'primary'),
      guardrailMetrics: metrics.guardrails.map((metric, i) => withId(metric, `guardrail-${i + 1}`)),
      layer: request.layer,
      seed: request.seed,
      startAt: request.startAt,
      endAt: request.endAt,
      /** Completed from the environment's defaults (EXPERIMENT_*) by the service. */
      settings: request.settings,
      tags: request.tags,
      /** Where the segments came from, for errors that name the field the client sent. */
      segmentsField: request.allocation?.segments ? 'allocation.segments' : 'targetSegments',
    };
  });

export type CreateExperimentRequest = z.output<typeof createExperimentSchema>;

type SentVariant = z.output<typeof variantSchema>;

/** Weights (given, from percentages, or equal), ids and the one control; a message when they don't add up. */
function toVariants(sent: readonly SentVariant[]): Variant[] | string {
  const given = sent.map((variant) => variant.weight ?? (variant.trafficPercentage ?? NaN) / 100);
  const weights = given.every(Number.isNaN) ? sent.map(() => 1 / sent.length) : given;
  if (weights.some(Number.isNaN)) return 'give every variant a weight (or trafficPercentage), or none of them';
  const sum = weights.reduce((total, w) => total + w, 0);
  if (Math.abs(sum - 1) > 0.001) return `weights must sum to 1 (trafficPercentage to 100); they sum to ${sum}`;
  const controls = sent.filter((variant) => variant.isControl).length;
  if (controls > 1) return `only one variant may be the control; ${controls} are`;
  const ids = sent.map((variant, i) => variant.id ?? (slugOf(variant.name) || `variant-${i}`));
  if (new Set(ids).size !== ids.length) return 'variant ids (or names) must be distinct';
  return sent.map(({ name, description, content, isControl }, i) => ({
    id: ids[i],
    name,
    ...(description && { description }),
    weight: weights[i],
    content,
    // GrowthBook's convention: without a flagged control, the first variant is it.
    isControl: controls ? isControl : i === 0,
  }));
}

/** The spec's successMetrics: event names; the first is the primary conversion, the rest guardrails. */
function fromSuccessMetrics(names: readonly string[] | undefined) {
  if (!names) return undefined;
  const [primary, ...guardrails] = names.map((event) => ({ kind: 'conversion' as const, event }));
  return { primary, guardrails };
}

function withId(metric: Omit<Metric, 'id'> & { id?: string }, fallback: string): Metric {
  return { ...metric, id: metric.id ?? fallback };
}

function slugOf(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 64);
}

/** `PUT /…/experiments/:id`: what may change; a running experiment's split and metrics stay. */
export const updateExperimentSchema = z
  .strictObject({
    name: z.string().trim().min(1).max(200),
    description: z.string().max(2_000),
    hypothesis: z.string().max(2_000),
    status: z.enum(experimentStatuses),
    coverage: z.number().min(0).max(1),
    startAt: z.coerce.date(),
    endAt: z.coerce.date(),
    settings: settingsSchema,
    tags: z.array(z.string().trim().min(1).max(100)).max(50),
  })
  .partial()
  .refine((changes) => Object.keys(changes).length > 0, {
    message: 'name, description, hypothesis, status, coverage, startAt, endAt, settings or tags is required',
  });

export type UpdateExperimentRequest = z.output<typeof updateExperimentSchema>;

/** `POST /…/experiments/:id/conclude`: the winner every lead gets from now on, or none (control). */
export const concludeExperimentSchema = z.strictObject({ winnerVariantId: slug.optional() });

/**
 * `GET /…/experiments/sample-size?baseline=&mde=` (leads per variant) or `?baseline=&leadsPerVariant=`
 * (the smallest detectable absolute lift), for a two-variant conversion test.
 */
export const sampleSizeQuerySchema = z
  .object({
    baseline: z.coerce.number().gt(0).lt(1),
    mde: z.coerce.number().gt(0).lt(1).optional(),
    leadsPerVariant: z.coerce.number().int().min(2).optional(),
    alpha: z.coerce.number().gt(0).lt(0.5).default(DEFAULT_SETTINGS.significance),
    power: z.coerce.number().gt(0.5).lt(1).default(0.8),
  })
  .refine((query) => (query.mde === undefined) !== (query.leadsPerVariant === undefined), {
    path: ['mde'],
    message: 'give mde (an absolute lift, 0.02 for two points) or leadsPerVariant, one of them',
  })
  .refine((query) => query.mde === undefined || query.baseline + query.mde < 1, {
    path: ['mde'],
    message: 'baseline + mde must stay below 1',
  });

/** `GET /…/experiments/:id/variants/:leadId`: a lead id, userId or anonymousId, as ingestion takes them. */
export const variantParamsSchema = z.object({ leadId: z.string().trim().min(1).max(200) });
