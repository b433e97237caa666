import { z } from 'zod';

/**
 * The events Nudge knows: the product spec's 20 behavior types plus the transactional
 * ones, each with its category and a schema for its properties. Schemas check only the
 * properties they name (others pass through), so sites can send more than we describe.
 * Events outside the catalog are accepted as custom events without a property schema.
 */

export const eventCategories = ['engagement', 'intent', 'conversion', 'communication', 'transaction'] as const;
export type EventCategory = (typeof eventCategories)[number] | 'custom';

const percent = z.number().min(0).max(100);
const nonNegative = z.number().min(0);
const id = z.union([z.string().min(1), z.number()]);
const props = <T extends z.ZodRawShape>(shape: T) => z.looseObject(shape);

const cartItem = props({
  productId: id.optional(),
  product_id: id.optional(),
  sku: z.string().optional(),
  name: z.string().optional(),
  price: nonNegative.optional(),
  quantity: z.number().int().min(1).optional(),
});

const product = props({
  productId: id.optional(),
  product_id: id.optional(),
  sku: z.string().optional(),
  name: z.string().optional(),
  price: nonNegative.optional(),
  category: z.string().optional(),
});

const catalog = {
  // Engagement
  page_view: {
    category: 'engagement',
    properties: props({ url: z.string().optional(), title: z.string().optional() }),
  },
  time_on_page: { category: 'engagement', properties: props({ seconds: nonNegative, url: z.string().optional() }) },
  scroll_depth: { category: 'engagement', properties: props({ percent, url: z.string().optional() }) },
  click_outbound: { category: 'engagement', properties: props({ href: z.string().min(1) }) },
  video_play: { category: 'engagement', properties: props({ videoId: id.optional(), title: z.string().optional() }) },
  download: { category: 'engagement', properties: props({ fileName: z.string().min(1), url: z.string().optional() }) },
  social_share: {
    category: 'engagement',
    properties: props({ network: z.string().min(1), url: z.string().optional() }),
  },
  filter_usage: { category: 'engagement', properties: props({ filter: z.string().min(1), value: z.unknown() }) },
  screen_view: { category: 'engagement', properties: props({ name: z.string().optional() }) },

  // Intent
  form_start: {
    category: 'intent',
    properties: props({ formId: z.string().min(1), step: z.number().int().optional() }),
  },
  form_abandon: {
    category: 'intent',
    properties: props({
      formId: z.string().min(1),
      formCompletion: percent.optional(),
      lastField: z.string().optional(),
    }),
  },
  search_query: { category: 'intent', properties: props({ query: z.string() }) },
  quote_request: { category: 'intent', properties: props({ product: z.string().optional(), quoteId: id.optional() }) },
  application_start: { category: 'intent', properties: props({ applicationId: id.optional() }) },

  // Conversion
  form_submit: { category: 'conversion', properties: props({ formId: z.string().min(1) }) },
  application_complete: { category: 'conversion', properties: props({ applicationId: id.optional() }) },

  // Communication
  email_open: { category: 'communication', properties: props({ messageId: z.string().optional() }) },
  email_click: { category: 'communication', properties: props({ url: z.string().optional() }) },
  email_reply: { category: 'communication', properties: props({ messageId: z.string().optional() }) },
  phone_call: {
    category: 'communication',
    properties: props({
      durationSeconds: nonNegative.optional(),
      direction: z.enum(['inbound', 'outbound']).optional(),
    }),
  },
  text_interaction: {
    category: 'communication',
    properties: props({ direction: z.enum(['inbound', 'outbound']).optional(), body: z.string().optional() }),
  },

  // Transaction
  product_viewed: { category: 'transaction', properties: product },
  added_to_cart: {
    category: 'transaction',
    properties: product.extend({ quantity: z.number().int().min(1).optional() }),
  },
  removed_from_cart: {
    category: 'transaction',
    properties: product.extend({ quantity: z.number().int().min(1).optional() }),
  },
  checkout_started: {
    category: 'transaction',
    properties: props({ cartId: id.optional(), value: nonNegative.optional(), products: z.array(cartItem).optional() }),
  },
  order_completed: {
    category: 'transaction',
    properties: props({
      orderId: id,
      revenue: nonNegative,
      currency: z.string().length(3).optional(),
      items: z.array(cartItem).optional(),
      products: z.array(cartItem).optional(),
    }),
  },
} satisfies Record<string, { category: EventCategory; properties: z.ZodType }>;

export type CatalogEventType = keyof typeof catalog;
export const catalogEventTypes = Object.keys(catalog) as CatalogEventType[];

/**
 * Event names of the Segment e-commerce spec and analytics.js, mapped onto the catalog,
 * so a site already instrumented for Segment lands in the same rollups and journeys.
 */
const segmentSpecNames: Record<string, CatalogEventType> = {
  'Product Viewed': 'product_viewed',
  'Product Added': 'added_to_cart',
  'Product Removed': 'removed_from_cart',
  'Checkout Started': 'checkout_started',
  'Order Completed': 'order_completed',
};

export interface CatalogEntry {
  eventType: string;
  category: EventCategory;
  properties?: z.ZodType;
}

const isCatalogType = (name: string): name is CatalogEventType => Object.hasOwn(catalog, name);

/** The catalog entry for an event name, or a custom entry for a name we don't know. */
export function lookupEvent(name: string): CatalogEntry {
  // hasOwn, not `in`: an event named "constructor" is a custom event, not Object's.
  const eventType = Object.hasOwn(segmentSpecNames, name) ? segmentSpecNames[name] : name;
  if (isCatalogType(eventType)) {
    const entry = catalog[eventType];
    return { eventType, category: entry.category, properties: entry.properties };
  }
  return { eventType, category: 'custom' };
}
