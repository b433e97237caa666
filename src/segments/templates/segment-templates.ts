import type { Criteria } from '../criteria/segment-criteria';

/**
 * The suggested behaviors (spec: suggested-behaviors.txt), shipped as ready segments over
 * transactional events. Each is a plain behavioral segment once applied: its thresholds can
 * be edited like any other criteria. The events and properties each reads are the e-commerce
 * catalog's (Segment's e-commerce spec names are accepted too: "Order Completed" …), plus two
 * properties the site sends when it has them: `coupon` on an order, `new_arrival` on a product.
 */
export interface SegmentTemplate {
  id: string;
  name: string;
  /** What a member is, precisely, in words a CRM team can check against the criteria. */
  description: string;
  /** The events and the properties of them the criteria read. */
  reads: Record<string, string[]>;
  criteria: Criteria;
}

const days = (amount: number) => ({ inLast: { amount, unit: 'days' as const } });

export const segmentTemplates: readonly SegmentTemplate[] = [
  {
    id: 'comfort-seekers',
    name: 'Comfort Seekers',
    description:
      'Buy what they know, without shopping around: at least 2 orders in the last 90 days, ' +
      'and at most 10 product views in those 90 days.',
    reads: { order_completed: [], product_viewed: [] },
    criteria: {
      and: [
        { performed: { event: 'order_completed', window: days(90), minCount: 2 } },
        {
          aggregate: {
            event: 'product_viewed',
            fn: 'count',
            operator: 'less_than_or_equal',
            value: 10,
            window: days(90),
          },
        },
      ],
    },
  },
  {
    id: 'quality-enthusiasts',
    name: 'Quality Enthusiasts',
    description:
      'Premium buyers: at least 2 orders in the last 180 days, with an average order value ' +
      '(`revenue`) of 150 or more over those orders.',
    reads: { order_completed: ['revenue'] },
    criteria: {
      and: [
        { performed: { event: 'order_completed', window: days(180), minCount: 2 } },
        {
          aggregate: {
            event: 'order_completed',
            fn: 'avg',
            property: 'revenue',
            operator: 'greater_than_or_equal',
            value: 150,
            window: days(180),
          },
        },
      ],
    },
  },
  {
    id: 'value-hunters',
    name: 'Value Hunters',
    description:
      'Most orders use a deal: in the last 90 days, at least 2 orders with a `coupon` and at ' +
      'most 1 order without one.',
    reads: { order_completed: ['coupon'] },
    criteria: {
      and: [
        {
          performed: {
            event: 'order_completed',
            where: [{ property: 'coupon', operator: 'exists' }],
            window: days(90),
            minCount: 2,
          },
        },
        {
          aggregate: {
            event: 'order_completed',
            where: [{ property: 'coupon', operator: 'not_exists' }],
            fn: 'count',
            operator: 'less_than_or_equal',
            value: 1,
            window: days(90),
          },
        },
      ],
    },
  },
  {
    id: 'trend-followers',
    name: 'Trend Followers',
    description:
      'Drawn to what is new: at least 3 views or add-to-carts of new arrivals ' +
      '(`new_arrival` true) in the last 30 days.',
    reads: { product_viewed: ['new_arrival'], added_to_cart: ['new_arrival'] },
    criteria: {
      performed: {
        event: ['product_viewed', 'added_to_cart'],
        where: [{ property: 'new_arrival', operator: 'equals', value: true }],
        window: days(30),
        minCount: 3,
      },
    },
  },
  {
    id: 'loyal-regulars',
    name: 'Loyal Regulars',
    description:
      'Repeat customers who keep buying: at least 3 orders in the last 90 days, one of them in ' +
      'the last 30 days, and a first order more than 90 days ago.',
    reads: { order_completed: [] },
    criteria: {
      and: [
        { performed: { event: 'order_completed', window: days(90), minCount: 3 } },
        { performed: { event: 'order_completed', window: days(30) } },
        { not: { firstPerformed: { event: 'order_completed', window: days(90) } } },
      ],
    },
  },
];

export const findSegmentTemplate = (id: string) => segmentTemplates.find((template) => template.id === id);
