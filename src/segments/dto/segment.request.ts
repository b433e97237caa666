import { z } from 'zod';
import { cursorParam, limitParam } from '../../common/pagination';
import { segmentStatuses, segmentTypes } from '../segment.model';
import { criteriaSchema } from './criteria.request';

/** How many leads a static segment's request may list; larger lists come by CSV import. */
export const MAX_STATIC_LEADS = 1_000;

/** How many leads a static segment may hold, by CSV import. */
export const MAX_IMPORTED_LEADS = 100_000;

/** Lowercase, as Nudge writes them; the spec's STATIC / DYNAMIC / BEHAVIORAL are accepted too. */
const lowercased = <T extends readonly [string, ...string[]]>(values: T) =>
  z.preprocess((value) => (typeof value === 'string' ? value.toLowerCase() : value), z.enum(values));

const fields = {
  name: z.string().trim().min(1).max(200),
  description: z.string().max(2_000).optional(),
  status: lowercased(segmentStatuses),
  criteria: criteriaSchema,
  leadIds: z.array(z.string().trim().min(1).max(200)).max(MAX_STATIC_LEADS),
  /** Criteria segments: minutes between scheduled recalculations (SEGMENT_RECALCULATE_EVERY_MINUTES if unset). */
  recalculateEveryMinutes: z.number().int().min(1).max(10_080),
  isPublic: z.boolean(),
  tags: z.array(z.string().trim().min(1).max(100)).max(50),
};

const segmentId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'lowercase letters, digits or "-", at most 64');

/**
 * The spec's CreateSegmentRequest (`name, description?, type, criteria, isPublic?, tags?`),
 * plus `id`, `status` (active unless said) and, for static segments, `leadIds`.
 */
export const createSegmentSchema = z
  .strictObject({
    id: segmentId.optional(),
    ...fields,
    type: lowercased(segmentTypes),
    status: fields.status.default('active'),
    criteria: fields.criteria.optional(),
    leadIds: fields.leadIds.optional(),
    recalculateEveryMinutes: fields.recalculateEveryMinutes.optional(),
    isPublic: fields.isPublic.default(false),
    tags: fields.tags.default([]),
  })
  .superRefine((segment, context) => {
    if (segment.type === 'static' && segment.criteria)
      context.addIssue({ code: 'custom', path: ['criteria'], message: 'a static segment lists its leads in leadIds' });
    if (segment.type !== 'static' && !segment.criteria)
      context.addIssue({ code: 'custom', path: ['criteria'], message: `is required for a ${segment.type} segment` });
    if (segment.type === 'static' && segment.recalculateEveryMinutes)
      context.addIssue({
        code: 'custom',
        path: ['recalculateEveryMinutes'],
        message: 'a static segment is not recalculated',
      });
    if (segment.type !== 'static' && segment.leadIds)
      context.addIssue({ code: 'custom', path: ['leadIds'], message: `only a static segment lists leads` });
  });

export type CreateSegmentRequest = z.output<typeof createSegmentSchema>;

/** `PUT /…/segments/:id`: any of the fields; criteria or leadIds must suit the segment's type. */
export const updateSegmentSchema = z
  .strictObject(fields)
  .partial()
  .refine(
    (changes) => Object.keys(changes).length > 0,
    'name, description, status, criteria, leadIds, recalculateEveryMinutes, isPublic or tags is required',
  );

export type UpdateSegmentRequest = z.output<typeof updateSegmentSchema>;

/** `POST /v1/segment-templates/:id`: what may be set; the template gives type and criteria. */
export const applyTemplateSchema = z.strictObject({
  id: segmentId.optional(),
  name: fields.name.optional(),
  status: fields.status.optional(),
  tags: fields.tags.optional(),
});

/** `POST /…/segments/preview`: criteria to evaluate without saving, and how many members to show. */
export const previewSegmentSchema = z.strictObject({
  criteria: criteriaSchema,
  sampleSize: z.number().int().min(0).max(100).default(10),
});

/** `GET /…/segments/:id/members?limit=&cursor=`. */
export const membersQuerySchema = z.object({ limit: limitParam(1000, 100), cursor: cursorParam().optional() });

/** `GET /…/segments/:id/analytics?days=`: how many UTC days of growth, today included. */
export const analyticsQuerySchema = z.object({ days: z.coerce.number().int().min(1).max(365).default(30) });

/** `POST /…/segments/:id/import?mode=&column=`: add to the list (default) or replace it; the id column's name. */
export const importQuerySchema = z.object({
  mode: z.enum(['add', 'replace']).default('add'),
  column: z.string().trim().min(1).max(200).optional(),
});
