import { describeZodError } from '../common/validation';
import { EventCategory, eventCategories, lookupEvent } from './catalog/event-catalog';
import { encodeKey } from '../leads/field-keys';
import { findUnsafeJson, renameKeys } from './json-safety';
import { MessageType, messageSchema, messageTypes, SegmentMessage } from './dto/message.request';

export const MAX_EVENT_BYTES = 32 * 1024;
/** A client clock this far ahead, with no `sentAt` to correct it, is wrong: use `receivedAt`. */
export const MAX_FUTURE_MS = 5 * 60_000;

/** Ids that broken integrations send for "no id"; accepting them would merge strangers. */
const PLACEHOLDER_IDS = new Set([
  'anonymous',
  'null',
  'undefined',
  'nil',
  'none',
  '0',
  '-1',
  'nan',
  'unknown',
  'guest',
  '[object object]',
]);

/** Batch-level fields that fill in each item's. */
export interface Envelope {
  context?: Record<string, unknown>;
  integrations?: Record<string, unknown>;
  sentAt?: Date;
}

export interface RequestInfo {
  receivedAt: Date;
  ip: string;
}

/** A validated, normalized message, not yet tied to a lead. */
export interface PreparedMessage {
  messageId: string;
  type: MessageType;
  event?: string;
  eventType?: string;
  category?: EventCategory;
  name?: string;
  userId?: string;
  anonymousId?: string;
  previousId?: string;
  groupId?: string;
  properties?: Record<string, unknown>;
  traits?: Record<string, unknown>;
  context: Record<string, unknown>;
  /** Keys escaped with encodeKey, as stored. */
  integrations?: Record<string, unknown>;
  metadata?: Record<string, unknown>;
  value?: number;
  timestamp: Date;
  originalTimestamp?: Date;
  sentAt?: Date;
  receivedAt: Date;
  clientSessionId?: string;
}

export type Rejection = {
  reason: string;
  status: 400 | 413;
  /** `invalid`: not a well-formed message; `schema`: well-formed, but its properties break the catalog. */
  kind: 'invalid' | 'schema';
  messageId?: string;
};

export type Prepared = { message: PreparedMessage } | { rejection: Rejection };

/**
 * Validates one message against the Segment spec, the storage rules and the event
 * catalog, and normalizes it: messageId, receivedAt, context.ip, clock-skew-corrected
 * timestamp, batch context merged in. Pure but for the messageId it generates when the
 * client sent none (and without one, a retry cannot be deduplicated).
 */
export function prepareMessage(
  raw: unknown,
  envelope: Envelope,
  request: RequestInfo,
  forcedType?: MessageType,
): Prepared {
  const rawMessageId = isObject(raw) && typeof raw.messageId === 'string' ? raw.messageId : undefined;
  const reject = (reason: string, status: 400 | 413 = 400, kind: Rejection['kind'] = 'invalid'): Prepared => ({
    rejection: { reason, status, kind, ...(rawMessageId && { messageId: rawMessageId }) },
  });

  if (!isObject(raw)) return reject('an event must be a JSON object');
  const bytes = Buffer.byteLength(JSON.stringify(raw));
  if (bytes > MAX_EVENT_BYTES)
    return reject(`event is ${bytes} bytes; the limit is 32 KB (${MAX_EVENT_BYTES} bytes) per event`, 413);
  // `integrations` is routing config, never queried, and analytics.js keys it by
  // destination name ("Segment.io"), so it is stored with escaped keys instead.
  const unsafe = findUnsafeJson({ ...raw, integrations: renameKeys(raw.integrations, encodeKey) });
  if (unsafe) return reject(unsafe);
  const type = forcedType ?? raw.type;
  if (!messageTypes.includes(type as MessageType)) return reject(`type: must be one of ${messageTypes.join(', ')}`);

  const parsed = messageSchema.safeParse({ ...raw, type });
  if (!parsed.success) return reject(describeZodError(parsed.error));
  const message = parsed.data;
  if (!message.userId && !message.anonymousId) return reject('userId or anonymousId is required');
  for (const field of ['userId', 'anonymousId', 'previousId'] as const) {
    const value = (message as Partial<Record<typeof field, string>>)[field];
    if (value !== undefined && PLACEHOLDER_IDS.has(value.trim().toLowerCase())) {
      return reject(`${field}: "${value}" is a placeholder, not an id`);
    }
  }

  const classified = classify(message);
  if ('problem' in classified) return reject(classified.problem, 400, classified.kind);
  return { message: { ...classified, ...normalize(message, envelope, request) } };
}

type Classification = Pick<PreparedMessage, 'event' | 'eventType' | 'category' | 'name' | 'properties'>;

/** Places a track, page or screen call in the catalog and checks its properties. */
function classify(message: SegmentMessage): Classification | { problem: string; kind: Rejection['kind'] } {
  if (message.type !== 'track' && message.type !== 'page' && message.type !== 'screen') return {};
  const name = message.type === 'track' ? message.event : message.type === 'page' ? 'page_view' : 'screen_view';
  const entry = lookupEvent(name);
  let category = entry.category;
  if (message.type === 'track' && message.category !== undefined) {
    if (entry.category === 'custom' && eventCategories.includes(message.category as never)) {
      category = message.category as EventCategory;
    } else if (message.category !== entry.category) {
      const expected = entry.category === 'custom' ? `one of ${eventCategories.join(', ')}` : `"${entry.category}"`;
      return {
        problem: `category: ${entry.eventType} events are ${expected}, not "${message.category}"`,
        kind: 'invalid',
      };
    }
  }
  const properties = message.properties ?? {};
  const checked = entry.properties?.safeParse(properties);
  if (checked && !checked.success) return { problem: describeZodError(checked.error, ['properties']), kind: 'schema' };
  return {
    ...(message.type === 'track' ? { event: message.event } : { name: message.name }),
    eventType: entry.eventType,
    category,
    properties,
  };
}

function normalize(message: SegmentMessage, envelope: Envelope, request: RequestInfo) {
  const { receivedAt } = request;
  const context = { ...envelope.context, ...message.context };
  if (typeof context.ip !== 'string' || !context.ip) context.ip = request.ip;
  const given = (message.integrations || envelope.integrations) && {
    ...envelope.integrations,
    ...message.integrations,
  };
  const integrations = given && (renameKeys(given, encodeKey) as Record<string, unknown>);

  // Segment's correction: the device's clock is off by (sentAt - receivedAt), so shift the
  // event's device time by the same amount. Without sentAt the device time stands.
  const sentAt = message.sentAt ?? envelope.sentAt;
  const originalTimestamp = message.originalTimestamp ?? message.timestamp;
  let timestamp =
    originalTimestamp && sentAt
      ? new Date(receivedAt.getTime() - (sentAt.getTime() - originalTimestamp.getTime()))
      : (originalTimestamp ?? receivedAt);
  if (timestamp.getTime() > receivedAt.getTime() + MAX_FUTURE_MS) timestamp = receivedAt;

  const sessionId = message.sessionId ?? context.sessionId;
  return {
    messageId: message.messageId ?? crypto.randomUUID(),
    type: message.type,
    ...(message.userId !== undefined && { userId: message.userId }),
    ...(message.anonymousId !== undefined && { anonymousId: message.anonymousId }),
    ...(message.type === 'alias' && { previousId: message.previousId }),
    ...(message.type === 'group' && { groupId: message.groupId }),
    ...((message.type === 'identify' || message.type === 'group') && message.traits && { traits: message.traits }),
    ...(message.type === 'track' && message.metadata && { metadata: message.metadata }),
    ...valueOf(message),
    context,
    ...(integrations && { integrations }),
    timestamp,
    ...(originalTimestamp && { originalTimestamp }),
    ...(sentAt && { sentAt }),
    receivedAt,
    ...((typeof sessionId === 'string' || typeof sessionId === 'number') && { clientSessionId: String(sessionId) }),
  };
}

/** The event's value: the spec's `value`, else Segment's `revenue`, else a numeric `properties.value`. */
function valueOf(message: SegmentMessage): { value?: number } {
  if (message.type === 'track' && message.value !== undefined) return { value: message.value };
  if (message.type !== 'track') return {};
  for (const key of ['revenue', 'value'] as const) {
    const value = message.properties?.[key];
    if (typeof value === 'number' && Number.isFinite(value)) return { value };
  }
  return {};
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
