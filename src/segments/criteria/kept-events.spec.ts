import {
  criteriaEventTypes,
  criteriaProperties,
  criteriaReach,
  keptEvents,
  MAX_KEPT_EVENTS,
  trimEvent,
} from './kept-events';
import { Criteria } from './segment-criteria';

const NOW = new Date('2026-06-15T12:00:00.000Z');
const DAY = 86_400_000;
const ago = (ms: number) => new Date(NOW.getTime() - ms);
let next = 0;
const event = (type: string, at: Date, properties: Record<string, unknown> = {}) => ({
  id: `e${next++}`,
  type,
  timestamp: at,
  properties,
});
const days = (amount: number) => ({ amount, unit: 'days' as const });

describe("what a segment keeps of a lead's events", () => {
  const criteria: Criteria = {
    and: [
      { performed: { event: 'page_view', minCount: 3, window: { inLast: days(7) } } },
      {
        not: {
          performed: {
            event: ['purchase', 'refund'],
            where: [{ property: 'order.total', operator: 'greater_than', value: 10 }],
          },
        },
      },
      {
        aggregate: {
          event: 'purchase',
          fn: 'sum',
          property: 'total',
          operator: 'greater_than',
          value: 100,
          window: { inLast: days(30) },
        },
      },
    ],
  };

  it('reads the event types and top-level properties the criteria name', () => {
    expect(criteriaEventTypes(criteria).sort()).toEqual(['page_view', 'purchase', 'refund']);
    expect(criteriaProperties(criteria).sort()).toEqual(['order.total', 'total']);
  });

  it('reaches back as far as its widest window, and all time when one criterion has none', () => {
    expect(criteriaReach({ performed: { event: 'a', window: { inLast: days(7) } } }, NOW)).toEqual(ago(7 * DAY));
    expect(
      criteriaReach(
        {
          or: [
            { performed: { event: 'a', window: { inLast: days(7) } } },
            { performed: { event: 'b', window: { inLast: days(30) } } },
          ],
        },
        NOW,
      ),
    ).toEqual(ago(30 * DAY));
    expect(criteriaReach(criteria, NOW)).toBeUndefined(); // the NOT has no window
    expect(
      criteriaReach({ stoppedPerforming: { event: 'a', activeFor: days(30), inactiveFor: days(7) } }, NOW),
    ).toEqual(ago(37 * DAY));
  });

  it('drops events no window can count any more, and events of other types or failing their conditions', () => {
    const windowed: Criteria = {
      performed: {
        event: 'page_view',
        where: [{ property: 'path', operator: 'equals', value: '/pricing' }],
        window: { inLast: days(7) },
      },
    };
    const old = event('page_view', ago(8 * DAY), { path: '/pricing' });
    const recent = event('page_view', ago(DAY), { path: '/pricing' });
    const elsewhere = event('page_view', ago(DAY), { path: '/blog' });
    const other = event('signup', ago(DAY));

    expect(keptEvents(windowed, [recent, old, elsewhere, other], NOW)).toEqual([recent]);
  });

  it('keeps the first matching event ever for firstPerformed, wherever it falls', () => {
    const first: Criteria = { firstPerformed: { event: 'purchase', window: { inLast: days(7) } } };
    const long = event('purchase', ago(400 * DAY));
    const later = event('purchase', ago(DAY));

    expect(keptEvents(first, [later, long], NOW)).toEqual([long]);
  });

  it('keeps an event added twice once, oldest first', () => {
    const allTime: Criteria = { performed: { event: 'page_view' } };
    const a = event('page_view', ago(2 * DAY));
    const b = event('page_view', ago(DAY));

    expect(keptEvents(allTime, [b, a, { ...b }], NOW)).toEqual([a, b]);
  });

  it(`keeps the latest ${MAX_KEPT_EVENTS} when a lead has more`, () => {
    const allTime: Criteria = { performed: { event: 'page_view' } };
    const many = Array.from({ length: MAX_KEPT_EVENTS + 10 }, (_, i) => event('page_view', ago((1000 - i) * 60_000)));

    const kept = keptEvents(allTime, many, NOW);

    expect(kept).toHaveLength(MAX_KEPT_EVENTS);
    expect(kept[0]).toBe(many[10]);
    expect(kept.at(-1)).toBe(many.at(-1));
  });

  it('trims an event to the properties the criteria read', () => {
    const trimmed = trimEvent(['order.total', 'total'], {
      id: 'x',
      type: 'purchase',
      timestamp: NOW,
      properties: { order: { total: 12, items: 3 }, total: 12, coupon: 'SALE' },
    });

    expect(trimmed).toEqual({
      id: 'x',
      type: 'purchase',
      timestamp: NOW,
      properties: { order: { total: 12, items: 3 }, total: 12 },
    });
  });
});
