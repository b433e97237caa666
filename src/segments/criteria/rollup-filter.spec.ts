import { rollupFilter } from './rollup-filter';
import type { Criteria } from './segment-criteria';

// Which leads each query selects is checked against evaluation on the real database
// (test/e2e/segment-criteria.spec.ts); here, which criteria become a query and what it reads.
describe('rollupFilter', () => {
  it('counts an event type all-time from its counter, a missing counter being 0', () => {
    expect(rollupFilter({ performed: { event: 'page.view', minCount: 2, maxCount: 3 } })).toEqual({
      $and: [{ 'countsByType.page%2Eview': { $gte: 2 } }, { $nor: [{ 'countsByType.page%2Eview': { $gt: 3 } }] }],
    });
    expect(rollupFilter({ notPerformed: { event: 'churned' } })).toEqual({
      $nor: [{ 'countsByType.churned': { $gt: 0 } }],
    });
    expect(rollupFilter({ performed: { event: ['a', 'b'] } })).toEqual({
      $or: [{ 'countsByType.a': { $gte: 1 } }, { 'countsByType.b': { $gte: 1 } }],
    });
    expect(rollupFilter({ aggregate: { event: 'a', fn: 'count', operator: 'less_than', value: 0 } })).toEqual({
      _id: null,
    });
  });

  it('reads traits and score as evaluation does: arrays are values, not sets of matches', () => {
    expect(rollupFilter({ trait: { field: 'plan', operator: 'equals', value: 'pro' } })).toEqual({
      $and: [{ 'traits.plan': 'pro' }, { 'traits.plan.0': { $exists: false } }],
    });
    expect(rollupFilter({ score: { operator: 'greater_than_or_equal', value: 50 } })).toEqual({
      $and: [{ 'traits.score': { $gte: 50 } }, { 'traits.score.0': { $exists: false } }],
    });
    expect(
      rollupFilter({ not: { or: [{ trait: { field: 'x', operator: 'exists' } }, { performed: { event: 'v' } }] } }),
    ).toEqual({
      $nor: [
        {
          $or: [
            { $or: [{ 'traits.x': { $ne: null } }, { 'traits.x.0': { $exists: true } }] },
            { 'countsByType.v': { $gte: 1 } },
          ],
        },
      ],
    });
  });

  it.each<[string, Criteria]>([
    ['a time window', { performed: { event: 'a', window: { inLast: { amount: 7, unit: 'days' } } } }],
    ['a property condition', { performed: { event: 'a', where: [{ property: 'p', operator: 'exists' }] } }],
    ['a count over several types', { performed: { event: ['a', 'b'], minCount: 2 } }],
    ['a count evaluation cannot reach (over 500 kept events)', { performed: { event: 'a', minCount: 501 } }],
    ['a sum', { aggregate: { event: 'a', fn: 'sum', property: 'v', operator: 'greater_than', value: 1 } }],
    ['a sequence', { sequence: { steps: [{ event: 'a' }, { event: 'b' }], within: { amount: 1, unit: 'hours' } } }],
    ['contains', { trait: { field: 'tags', operator: 'contains', value: 'vip' } }],
    ['a trait path MongoDB reads as an operator', { trait: { field: 'a.$where', operator: 'exists' } }],
    ['an object value', { trait: { field: 'a', operator: 'equals', value: { b: 1 } } }],
    ['score not_equals (a lead without a score meets none)', { score: { operator: 'not_equals', value: 1 } }],
    [
      'any part that is not a query',
      {
        and: [
          { performed: { event: 'a' } },
          { firstPerformed: { event: 'a', window: { inLast: { amount: 1, unit: 'days' } } } },
        ],
      },
    ],
  ])('leaves %s to evaluation over events', (_, criteria) => {
    expect(rollupFilter(criteria)).toBeUndefined();
  });
});
