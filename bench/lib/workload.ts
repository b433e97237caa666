import { createHash, randomUUID } from 'node:crypto';
import { rollupKey } from '../../src/leads/rollups';

/**
 * What a shop's analytics.js sends: each visitor browses products, scrolls, starts and
 * abandons forms, and the browser posts that visitor's events in batches. The same
 * messages also give the documents the API would store, so the driver baseline writes
 * exactly what the API writes.
 */

/** The dev workspace the API seeds at start-up (the config schema's defaults). */
export const WRITE_KEY = 'wk_dev_0123456789abcdef';
export const WORKSPACE_ID = 'dev';
export const SOURCE_ID = `${WORKSPACE_ID}-web`;
/** What the API records as `context.ip`: the bench connects over loopback. */
const CLIENT_IP = '127.0.0.1';

export interface Visitor {
  anonymousId: string;
  leadId: string;
  userAgent: string;
}

export interface TrackingMessage {
  type: 'page' | 'track';
  event?: string;
  properties: Record<string, unknown>;
  anonymousId: string;
  messageId: string;
  timestamp: string;
  context: Record<string, unknown>;
}

export interface Batch {
  visitor: Visitor;
  sentAt: string;
  messages: TrackingMessage[];
  /** The request body, serialized before timing so the client spends no time on it. */
  body: string;
}

/** A document as the `events` collection holds it (see src/events/ingestion.service.ts toRecord). */
export type StoredEvent = Record<string, unknown> & { _id: string };

const products = [
  ['trail-runner-2', 'Trail Runner 2', 89.9, 'shoes'],
  ['city-backpack', 'City Backpack 22L', 64.5, 'bags'],
  ['merino-tee', 'Merino Tee', 39, 'tops'],
  ['rain-shell', 'Packable Rain Shell', 119, 'jackets'],
  ['wool-socks', 'Wool Hiking Socks', 14.9, 'socks'],
  ['sun-cap', 'Sun Cap', 24, 'accessories'],
] as const;

const userAgents = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5; rv:127.0) Gecko/20100101 Firefox/127.0',
];

/** Relative frequency of each kind of event on a product page. */
const eventMix = [
  ['page', 25],
  ['product_viewed', 20],
  ['scroll_depth', 20],
  ['time_on_page', 15],
  ['added_to_cart', 8],
  ['form_start', 7],
  ['form_abandon', 5],
] as const;
type EventKind = (typeof eventMix)[number][0];
const trackKinds = eventMix.map(([kind]) => kind).filter((kind) => kind !== 'page');

/** Seconds between a visitor's events: a batch spans a few minutes, within one session. */
const EVENT_SPACING_MS = 2_000;

/**
 * Deterministic content (a seeded PRNG), so every run sends the same mix and sizes;
 * message ids are random UUIDs, unique across runs and phases.
 */
export class Workload {
  readonly visitors: Visitor[];
  private readonly random: () => number;

  constructor(visitorCount: number, seed = 42) {
    this.random = mulberry32(seed);
    this.visitors = Array.from({ length: visitorCount }, (_, i) => {
      const anonymousId = randomUUID();
      return { anonymousId, leadId: leadIdOf(anonymousId), userAgent: userAgents[i % userAgents.length] };
    });
  }

  /** `size` events of one visitor, as the browser batches them, ending now. */
  batch(visitor: Visitor, size: number): Batch {
    const now = Date.now();
    const messages = Array.from({ length: size }, (_, i) =>
      this.message(visitor, this.pickKind(), new Date(now - (size - i) * EVENT_SPACING_MS)),
    );
    const sentAt = new Date(now).toISOString();
    return { visitor, sentAt, messages, body: JSON.stringify({ batch: messages, sentAt }) };
  }

  /** One track event, as a single `POST /v1/track` sends it. */
  track(visitor: Visitor): TrackingMessage {
    return this.message(visitor, trackKinds[Math.floor(this.random() * trackKinds.length)], new Date());
  }

  private message(visitor: Visitor, kind: EventKind, at: Date): TrackingMessage {
    const [slug, name, price, category] = products[Math.floor(this.random() * products.length)];
    const url = `https://shop.example.com/products/${slug}`;
    const properties = this.propertiesOf(kind, { slug, name, price, category, url });
    return {
      type: kind === 'page' ? 'page' : 'track',
      ...(kind !== 'page' && { event: kind }),
      properties,
      anonymousId: visitor.anonymousId,
      // analytics.js's format: a prefix and 32 hex digits.
      messageId: `ajs-next-${randomUUID().replaceAll('-', '')}`,
      timestamp: at.toISOString(),
      context: {
        library: { name: 'analytics.js', version: '1.70.0' },
        page: { path: `/products/${slug}` },
        userAgent: visitor.userAgent,
        locale: 'en-US',
      },
    };
  }

  private propertiesOf(
    kind: EventKind,
    product: { slug: string; name: string; price: number; category: string; url: string },
  ): Record<string, unknown> {
    const productFields = { productId: product.slug, name: product.name, price: product.price };
    switch (kind) {
      case 'page':
        return { path: `/products/${product.slug}`, title: `${product.name} | Example Shop` };
      case 'product_viewed':
        return { ...productFields, category: product.category };
      case 'added_to_cart':
        return { ...productFields, quantity: 1 + Math.floor(this.random() * 3) };
      case 'scroll_depth':
        return { percent: 25 * (1 + Math.floor(this.random() * 4)) };
      case 'time_on_page':
        return { seconds: Math.round(this.random() * 300) };
      case 'form_start':
        return { formId: 'newsletter', step: 1 };
      case 'form_abandon':
        return { formId: 'newsletter', formCompletion: Math.round(this.random() * 100), lastField: 'email' };
    }
  }

  private pickKind(): EventKind {
    const total = eventMix.reduce((sum, [, weight]) => sum + weight, 0);
    let roll = this.random() * total;
    for (const [kind, weight] of eventMix) if ((roll -= weight) < 0) return kind;
    return eventMix[0][0];
  }
}

/**
 * The document the API stores for a message, field for field (src/events/prepare-message.ts
 * and ingestion.service.ts): catalog fields, normalized fields, clock-skew-corrected
 * timestamp, then workspace, lead and session. `sentAt` is the batch's, when there is one.
 */
export function storedDocument(
  message: TrackingMessage,
  visitor: Visitor,
  receivedAt: Date,
  rollupKey: string,
  sentAt?: string,
) {
  const original = new Date(message.timestamp);
  const timestamp = sentAt
    ? new Date(receivedAt.getTime() - (new Date(sentAt).getTime() - original.getTime()))
    : original;
  const isPage = message.type === 'page';
  const catalogType = isPage ? 'page_view' : message.event!;
  return {
    _id: `${SOURCE_ID}:${message.messageId}`,
    ...(isPage ? { name: undefined } : { event: message.event }),
    eventType: catalogType,
    category: categoryOf(catalogType),
    properties: message.properties,
    messageId: message.messageId,
    type: message.type,
    anonymousId: message.anonymousId,
    context: { ...message.context, ip: CLIENT_IP },
    timestamp,
    originalTimestamp: original,
    ...(sentAt && { sentAt: new Date(sentAt) }),
    receivedAt,
    workspaceId: WORKSPACE_ID,
    sourceId: SOURCE_ID,
    leadId: visitor.leadId,
    // The API's format (lead id, then the session's start in base 36); the same length
    // whichever event's time it is built from.
    sessionId: `${visitor.leadId}-${timestamp.getTime().toString(36)}`,
    rollupKey,
  } satisfies StoredEvent;
}

/** The rollup key the API stores on each of these messages of one visitor's request (src/leads/rollups.ts). */
export const rollupKeyOf = (visitor: Visitor, messages: readonly TrackingMessage[]) =>
  rollupKey(
    visitor.leadId,
    messages.map((message) => `${SOURCE_ID}:${message.messageId}`),
  );

/** Catalog categories of the event types this workload sends (src/events/catalog). */
function categoryOf(eventType: string): string {
  if (eventType === 'form_start' || eventType === 'form_abandon') return 'intent';
  if (eventType === 'product_viewed' || eventType === 'added_to_cart') return 'transaction';
  return 'engagement';
}

/** The API's lead id for a visitor first seen by anonymous id (src/leads/leads.service.ts). */
function leadIdOf(anonymousId: string): string {
  const key = `${WORKSPACE_ID}:anon:${anonymousId}`;
  return `lead_${createHash('sha256').update(key).digest('hex').slice(0, 24)}`;
}

/** A small, well-known seeded PRNG: enough to vary content reproducibly. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
