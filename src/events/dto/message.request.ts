import { z } from 'zod';

/**
 * The Segment HTTP tracking spec (https://segment.com/docs/connections/sources/catalog/libraries/server/http-api/)
 * as zod schemas. Unknown top-level fields are kept out: what we store is what we describe.
 */

const isoDate = z.union([z.iso.datetime({ offset: true }), z.iso.date()]).transform((value) => new Date(value));
const identity = z.union([z.string().trim().min(1).max(255), z.number().finite()]).transform((value) => String(value));
const object = z.record(z.string(), z.unknown());

const common = {
  messageId: z.string().trim().min(1).max(255).optional(),
  userId: identity.optional(),
  anonymousId: identity.optional(),
  timestamp: isoDate.optional(),
  originalTimestamp: isoDate.optional(),
  sentAt: isoDate.optional(),
  context: object.optional(),
  integrations: object.optional(),
  /** The product spec's session id; analytics.js sends none, so sessions are derived then. */
  sessionId: z.string().trim().min(1).max(255).optional(),
};

export const trackSchema = z.object({
  ...common,
  type: z.literal('track'),
  event: z.string().trim().min(1).max(200),
  properties: object.optional(),
  // The product spec's fields, which /api/behavior/events carries into a track call.
  category: z.string().optional(),
  value: z.number().finite().optional(),
  metadata: object.optional(),
});
export const pageSchema = z.object({
  ...common,
  type: z.literal('page'),
  name: z.string().max(200).optional(),
  category: z.string().max(200).optional(),
  properties: object.optional(),
});
export const screenSchema = pageSchema.extend({ type: z.literal('screen') });
export const identifySchema = z.object({ ...common, type: z.literal('identify'), traits: object.optional() });
export const groupSchema = z.object({
  ...common,
  type: z.literal('group'),
  groupId: identity,
  traits: object.optional(),
});
export const aliasSchema = z.object({ ...common, type: z.literal('alias'), previousId: identity, userId: identity });

export const messageSchema = z.discriminatedUnion('type', [
  trackSchema,
  pageSchema,
  screenSchema,
  identifySchema,
  groupSchema,
  aliasSchema,
]);
export type SegmentMessage = z.output<typeof messageSchema>;
export type MessageType = SegmentMessage['type'];
export const messageTypes = ['track', 'page', 'screen', 'identify', 'group', 'alias'] as const satisfies MessageType[];

/** What `/v1/batch` carries around its items; batch-level values fill in the items'. */
export const batchEnvelopeSchema = z.object({
  batch: z.array(z.unknown()),
  context: object.optional(),
  integrations: object.optional(),
  sentAt: isoDate.optional(),
  writeKey: z.string().optional(),
});

/** The product spec's `TrackBehaviorEventRequest`, plus the session and lead it belongs to. */
export const behaviorEventSchema = z.object({
  eventType: z.string().trim().min(1).max(200),
  category: z.string().optional(),
  properties: object.optional(),
  context: object.optional(),
  value: z.number().finite().optional(),
  metadata: object.optional(),
  sessionId: z.string().trim().min(1).max(255).optional(),
  leadId: identity.optional(),
  userId: identity.optional(),
  anonymousId: identity.optional(),
  messageId: z.string().trim().min(1).max(255).optional(),
  timestamp: isoDate.optional(),
  writeKey: z.string().optional(),
});
export type BehaviorEventRequest = z.output<typeof behaviorEventSchema>;
