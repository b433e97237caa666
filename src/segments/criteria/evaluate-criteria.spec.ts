import { matchesCriteria } from './evaluate-criteria';
import { Criteria, CriteriaEvent, CriteriaFacts } from './segment-criteria';

const NOW = new Date('2026-06-15T12:00:00.000Z');
const DAY = 86_400_000;
const HOUR = 3_600_000;
const ago = (ms: number) => new Date(NOW.getTime() - ms);
const event = (type: string, at: Date, properties: Record<string, unknown> = {}): CriteriaEvent => ({
  type,
  timestamp: at,
  properties,
});
const lead = (events: CriteriaEvent[], traits: Record<string, unknown> = {}, score?: number): CriteriaFacts => ({
  traits,
  events,
  ...(score !== undefined && { score }),
});
const days = (amount: number) => ({ amount, unit: 'days' as const });
const matches = (criteria: Criteria, facts: CriteriaFacts) => matchesCriteria(criteria, facts, NOW);

describe('segment criteria', () => {
  describe('performed', () => {
    const threeVisitsThisWeek: Criteria = {
      performed: { event: 'page_view', minCount: 3, window: { inLast: days(7) } },
    };

    it('counts matching events in a relative window, its start included', () => {
      const visits = [ago(7 * DAY), ago(3 * DAY), ago(HOUR)].map((at) => event('page_view', at));

      expect(matches(threeVisitsThisWeek, lead(visits))).toBe(true);
    });

    it('leaves out an event a millisecond before the window, and one after now', () => {
      const visits = [ago(7 * DAY + 1), ago(3 * DAY), ago(HOUR), new Date(NOW.getTime() + 1)].map((at) =>
        event('page_view', at),
      );

      expect(matches(threeVisitsThisWeek, lead(visits))).toBe(false);
    });

    it('honours maxCount, any of several event types, and property conditions', () => {
      const events = [
        event('form_start', ago(DAY), { formId: 'quote' }),
        event('form_submit', ago(DAY), { formId: 'quote' }),
        event('form_start', ago(DAY), { formId: 'contact' }),
      ];
      const quoteForms = (minCount: number, maxCount?: number): Criteria => ({
        performed: {
          event: ['form_start', 'form_submit'],
          where: [{ property: 'formId', operator: 'equals', value: 'quote' }],
          minCount,
          ...(maxCount !== undefined && { maxCount }),
        },
      });

      expect(matches(quoteForms(2, 2), lead(events))).toBe(true);
      expect(matches(quoteForms(3), lead(events))).toBe(false);
      expect(matches(quoteForms(1, 1), lead(events))).toBe(false);
    });

    it('counts from (included) to (excluded) in an absolute window, as the spec timeRange', () => {
      const between = { from: '2026-06-01T00:00:00.000Z', to: '2026-06-08T00:00:00.000Z' };
      const criteria: Criteria = { performed: { event: 'page_view', minCount: 2, window: { between } } };

      const inside = [
        event('page_view', new Date(between.from)),
        event('page_view', new Date('2026-06-07T23:59:59.999Z')),
      ];
      expect(matches(criteria, lead(inside))).toBe(true);
      expect(matches(criteria, lead([inside[0], event('page_view', new Date(between.to))]))).toBe(false);
    });
  });

  it('notPerformed holds when no matching event falls in the window', () => {
    const noPurchaseThisMonth: Criteria = { notPerformed: { event: 'order_completed', window: { inLast: days(30) } } };

    expect(matches(noPurchaseThisMonth, lead([event('order_completed', ago(31 * DAY))]))).toBe(true);
    expect(matches(noPurchaseThisMonth, lead([event('order_completed', ago(29 * DAY))]))).toBe(false);
    expect(matches(noPurchaseThisMonth, lead([]))).toBe(true);
  });

  describe('sequence', () => {
    const startedThenSubmitted: Criteria = {
      sequence: { steps: [{ event: 'form_start' }, { event: 'form_submit' }], within: { amount: 1, unit: 'hours' } },
    };

    it("holds for A then B within the span, the span's end included", () => {
      expect(
        matches(startedThenSubmitted, lead([event('form_start', ago(2 * HOUR)), event('form_submit', ago(HOUR))])),
      ).toBe(true);
    });

    it('does not hold for B before A, or B too long after A', () => {
      expect(
        matches(startedThenSubmitted, lead([event('form_submit', ago(2 * HOUR)), event('form_start', ago(HOUR))])),
      ).toBe(false);
      expect(
        matches(
          startedThenSubmitted,
          lead([event('form_start', ago(3 * HOUR)), event('form_submit', ago(2 * HOUR - 1))]),
        ),
      ).toBe(false);
    });

    it('finds a later start that fits when the first one does not', () => {
      const events = [
        event('form_start', ago(5 * HOUR)),
        event('form_start', ago(90 * 60_000)),
        event('form_submit', ago(HOUR)),
      ];

      expect(matches(startedThenSubmitted, lead(events))).toBe(true);
    });

    it('needs each step to be another event, for three steps of one type too', () => {
      const threeViews: Criteria = {
        sequence: {
          steps: [{ event: 'page_view' }, { event: 'page_view' }, { event: 'page_view' }],
          within: days(1),
        },
      };

      expect(matches(threeViews, lead([event('page_view', ago(HOUR)), event('page_view', ago(HOUR))]))).toBe(false);
      expect(matches(threeViews, lead([1, 2, 3].map((n) => event('page_view', ago(n * HOUR)))))).toBe(true);
    });
  });

  it('firstPerformed holds when the first event ever of the type is in the window', () => {
    const newThisWeek: Criteria = { firstPerformed: { event: 'page_view', window: { inLast: days(7) } } };

    expect(matches(newThisWeek, lead([event('page_view', ago(2 * DAY)), event('page_view', ago(DAY))]))).toBe(true);
    expect(matches(newThisWeek, lead([event('page_view', ago(20 * DAY)), event('page_view', ago(DAY))]))).toBe(false);
    expect(matches(newThisWeek, lead([]))).toBe(false);
  });

  it('stoppedPerforming holds for activity before the quiet period and none during it', () => {
    const lapsed: Criteria = {
      stoppedPerforming: { event: 'order_completed', activeFor: days(60), inactiveFor: days(30) },
    };

    expect(matches(lapsed, lead([event('order_completed', ago(45 * DAY))]))).toBe(true);
    expect(
      matches(lapsed, lead([event('order_completed', ago(45 * DAY)), event('order_completed', ago(5 * DAY))])),
    ).toBe(false);
    expect(matches(lapsed, lead([event('order_completed', ago(100 * DAY))]))).toBe(false);
    expect(matches(lapsed, lead([]))).toBe(false);
  });

  it('reads traits and the score with the journeys operators', () => {
    const facts = lead([], { plan: 'pro', region: 'north' }, 72);

    expect(matches({ trait: { field: 'plan', operator: 'equals', value: 'pro' } }, facts)).toBe(true);
    expect(matches({ trait: { field: 'region', operator: 'in', value: ['south', 'east'] } }, facts)).toBe(false);
    expect(matches({ score: { operator: 'greater_than_or_equal', value: 70 } }, facts)).toBe(true);
    expect(matches({ score: { operator: 'greater_than', value: 0 } }, lead([]))).toBe(false);
  });

  describe('aggregate', () => {
    const orders = [
      event('order_completed', ago(2 * DAY), { value: 120 }),
      event('order_completed', ago(10 * DAY), { value: 80 }),
      event('order_completed', ago(40 * DAY), { value: 500 }),
      event('order_completed', ago(3 * DAY), { value: 'n/a' }),
    ];
    const revenue = (fn: 'sum' | 'avg' | 'min' | 'max' | 'count', operator: 'equals', value: number): Criteria => ({
      aggregate: { event: 'order_completed', fn, property: 'value', operator, value, window: { inLast: days(30) } },
    });

    it('sums, averages and bounds a numeric property in the window, skipping non-numbers', () => {
      expect(matches(revenue('sum', 'equals', 200), lead(orders))).toBe(true);
      expect(matches(revenue('avg', 'equals', 100), lead(orders))).toBe(true);
      expect(matches(revenue('min', 'equals', 80), lead(orders))).toBe(true);
      expect(matches(revenue('max', 'equals', 120), lead(orders))).toBe(true);
      expect(matches(revenue('count', 'equals', 3), lead(orders))).toBe(true);
    });

    it('has no average of nothing, and a sum of nothing is 0', () => {
      expect(matches(revenue('avg', 'equals', 0), lead([]))).toBe(false);
      expect(matches(revenue('sum', 'equals', 0), lead([]))).toBe(true);
    });
  });

  it('combines with nested AND, OR and NOT', () => {
    const highIntentNotCustomer: Criteria = {
      and: [
        { or: [{ performed: { event: 'quote_request' } }, { performed: { event: 'page_view', minCount: 5 } }] },
        { not: { trait: { field: 'status', operator: 'equals', value: 'customer' } } },
      ],
    };
    const views = [1, 2, 3, 4, 5].map((n) => event('page_view', ago(n * HOUR)));

    expect(matches(highIntentNotCustomer, lead(views))).toBe(true);
    expect(matches(highIntentNotCustomer, lead(views.slice(1)))).toBe(false);
    expect(matches(highIntentNotCustomer, lead([event('quote_request', ago(DAY))]))).toBe(true);
    expect(matches(highIntentNotCustomer, lead(views, { status: 'customer' }))).toBe(false);
  });

  it('a lead leaves a time-window segment as time passes', () => {
    const recentVisitor: Criteria = { performed: { event: 'page_view', window: { inLast: days(7) } } };
    const facts = lead([event('page_view', ago(6 * DAY))]);

    expect(matchesCriteria(recentVisitor, facts, NOW)).toBe(true);
    expect(matchesCriteria(recentVisitor, facts, new Date(NOW.getTime() + 2 * DAY))).toBe(false);
  });
});
