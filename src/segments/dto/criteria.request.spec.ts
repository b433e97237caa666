import { describeZodError } from '../../common/validation';
import { criteriaSchema, MAX_CRITERIA_DEPTH } from './criteria.request';

const problems = (raw: unknown) => {
  const result = criteriaSchema.safeParse(raw);
  if (result.success) throw new Error(`accepted ${JSON.stringify(raw)}`);
  return describeZodError(result.error, ['criteria']);
};

describe('segment criteria requests', () => {
  it('accepts the criteria language as it is', () => {
    const criteria = {
      and: [
        { performed: { event: 'page_view', minCount: 3, window: { inLast: { amount: 7, unit: 'days' } } } },
        { not: { trait: { field: 'status', operator: 'equals', value: 'customer' } } },
        {
          sequence: {
            steps: [{ event: 'form_start' }, { event: 'form_submit' }],
            within: { amount: 1, unit: 'hours' },
          },
        },
        { aggregate: { event: 'order_completed', fn: 'sum', property: 'value', operator: 'greater_than', value: 100 } },
      ],
    };

    expect(criteriaSchema.parse(criteria)).toEqual(criteria);
  });

  it("turns the product spec's logicOperator, eventFilters and frequencyFilters into the same language", () => {
    const spec = {
      logicOperator: 'AND',
      eventFilters: [{ eventType: 'quote_request', minFrequency: 1, properties: { product: 'auto' } }],
      frequencyFilters: [
        {
          eventTypes: ['page_view', 'form_start'],
          minCount: 5,
          timeRange: { start: '2026-11-25T00:00:00.000Z', end: '2026-12-02T00:00:00.000Z' },
        },
      ],
    };

    expect(criteriaSchema.parse(spec)).toEqual({
      and: [
        {
          performed: {
            event: 'quote_request',
            where: [{ property: 'product', operator: 'equals', value: 'auto' }],
            minCount: 1,
          },
        },
        {
          performed: {
            event: ['page_view', 'form_start'],
            minCount: 5,
            window: { between: { from: '2026-11-25T00:00:00.000Z', to: '2026-12-02T00:00:00.000Z' } },
          },
        },
      ],
    });
    expect(criteriaSchema.parse({ logicOperator: 'OR', eventFilters: [{ eventType: 'a' }] })).toEqual({
      or: [{ performed: { event: 'a', minCount: 1 } }],
    });
  });

  it.each([
    [
      { and: [{ performed: { event: 'a' } }, { performd: { event: 'b' } }] },
      /^criteria\.and\[1\]: has "performd"; expected exactly one of and, or, not, performed/,
    ],
    [{ or: [{ performed: {} }] }, /^criteria\.or\[0\]\.performed\.event: is required$/],
    [{ not: { trait: { field: 'plan', operator: 'equalz' } } }, /^criteria\.not\.trait\.operator: /],
    [
      { performed: { event: 'a', minCount: 3, maxCount: 2 } },
      /^criteria\.performed\.maxCount: must be at least minCount$/,
    ],
    [
      { performed: { event: 'a', window: { inLast: { amount: 7, unit: 'fortnights' } } } },
      /^criteria\.performed\.window\.inLast\.unit: /,
    ],
    [
      { performed: { event: 'a', window: { between: { from: '2026-02-01T00:00:00Z', to: '2026-01-01T00:00:00Z' } } } },
      /^criteria\.performed\.window\.between\.to: must be after from$/,
    ],
    [
      { aggregate: { event: 'o', fn: 'sum', operator: 'greater_than', value: 1 } },
      /^criteria\.aggregate\.property: is required for sum/,
    ],
    [{ sequence: { steps: [{ event: 'a' }], within: { amount: 1, unit: 'hours' } } }, /^criteria\.sequence\.steps: /],
    [{ performed: { event: 'a', typo: true } }, /^criteria\.performed: .*typo/],
    [{ logicOperator: 'AND' }, /^criteria: has no eventFilters and no frequencyFilters/],
    [{ logicOperator: 'XOR', eventFilters: [{ eventType: 'a' }] }, /^criteria\.logicOperator: /],
    ['page_view', /^criteria: is not an object with one key/],
  ])('refuses %j naming the bad path', (raw, message) => {
    expect(problems(raw)).toMatch(message);
  });

  it(`refuses criteria nested deeper than ${MAX_CRITERIA_DEPTH} levels`, () => {
    let deep: unknown = { performed: { event: 'a' } };
    for (let i = 0; i < MAX_CRITERIA_DEPTH; i++) deep = { not: deep };

    expect(problems(deep)).toMatch(/^criteria: nests deeper than 8 levels$/);
  });
});
