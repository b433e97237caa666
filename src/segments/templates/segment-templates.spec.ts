import { criteriaSchema } from '../dto/criteria.request';
import { matchesCriteria } from '../criteria/evaluate-criteria';
import type { CriteriaEvent } from '../criteria/segment-criteria';
import { findSegmentTemplate, segmentTemplates } from './segment-templates';

const NOW = new Date('2026-06-15T12:00:00.000Z');
const DAY = 86_400_000;
const at = (daysAgo: number) => new Date(NOW.getTime() - daysAgo * DAY);
const order = (daysAgo: number, properties: Record<string, unknown> = {}): CriteriaEvent => ({
  type: 'order_completed',
  timestamp: at(daysAgo),
  properties: { orderId: `o-${daysAgo}`, revenue: 60, ...properties },
});
const viewed = (daysAgo: number, properties: Record<string, unknown> = {}): CriteriaEvent => ({
  type: 'product_viewed',
  timestamp: at(daysAgo),
  properties,
});

/** Which templates a shopper with these events is in. */
const templatesOf = (events: CriteriaEvent[]) =>
  segmentTemplates.filter(({ criteria }) => matchesCriteria(criteria, { traits: {}, events }, NOW)).map(({ id }) => id);

describe('segment templates', () => {
  it.each(segmentTemplates.map((template) => [template.id, template]))(
    '%s is valid criteria, as a CRM team would send it',
    (_, template) => {
      expect(criteriaSchema.parse(JSON.parse(JSON.stringify(template.criteria)))).toEqual(template.criteria);
    },
  );

  it('holds each shopper it describes', () => {
    expect(templatesOf([order(20), order(50), viewed(10), viewed(11)])).toContain('comfort-seekers');
    expect(templatesOf([order(20, { revenue: 200 }), order(150, { revenue: 120 })])).toContain('quality-enthusiasts');
    expect(templatesOf([order(5, { coupon: 'SPRING' }), order(40, { coupon: 'VIP' }), order(60)])).toContain(
      'value-hunters',
    );
    const newArrivals = [1, 2, 29].map((d) => viewed(d, { new_arrival: true }));
    expect(templatesOf(newArrivals)).toEqual(['trend-followers']);
    expect(templatesOf([order(120), order(80), order(40), order(10)])).toContain('loyal-regulars');
  });

  it('leaves out the shoppers just past each threshold', () => {
    const browser = [order(20), order(50), ...Array.from({ length: 11 }, (_, i) => viewed(i))];
    expect(templatesOf(browser)).not.toContain('comfort-seekers');
    expect(templatesOf([order(20, { revenue: 200 }), order(150, { revenue: 99 })])).not.toContain(
      'quality-enthusiasts',
    );
    expect(templatesOf([order(5, { coupon: 'A' }), order(6, { coupon: 'B' }), order(7), order(8)])).not.toContain(
      'value-hunters',
    );
    expect(templatesOf([1, 2, 31].map((d) => viewed(d, { new_arrival: true })))).not.toContain('trend-followers');
    // Three orders this quarter, but the first one only 60 days ago: new, not yet a regular.
    expect(templatesOf([order(60), order(40), order(10)])).not.toContain('loyal-regulars');
    // A regular who has not ordered in the last 30 days.
    expect(templatesOf([order(120), order(80), order(60), order(40)])).not.toContain('loyal-regulars');
  });

  it('names the properties each reads, and is found by id', () => {
    expect(findSegmentTemplate('value-hunters')?.reads).toEqual({ order_completed: ['coupon'] });
    expect(findSegmentTemplate('nope')).toBeUndefined();
  });
});
