import type { Condition } from '../contracts/journey-definition';
import { holds, matchesAll, matchesAny, readPath } from './conditions';

const facts = {
  event: { formId: 'quote', formCompletion: 40, fields: ['email', 'phone'], page: { path: '/quote/auto' } },
  trait: { region: 'west', plan: null },
  rollup: { countsByType: { quote_request: 2 } },
};
const when = (
  source: Condition['source'],
  field: string,
  operator: Condition['operator'],
  value?: unknown,
): Condition => ({
  source,
  field,
  operator,
  ...(value !== undefined && { value }),
});

describe('journey conditions', () => {
  it("reads the product spec's trigger condition: formCompletion less than 100", () => {
    expect(holds(when('event', 'formCompletion', 'less_than', 100), facts)).toBe(true);
    expect(holds(when('event', 'formCompletion', 'less_than', 100), { event: { formCompletion: 100 } })).toBe(false);
  });

  it.each([
    [when('event', 'formId', 'equals', 'quote'), true],
    [when('event', 'formId', 'equals', 'contact'), false],
    [when('event', 'formId', 'not_equals', 'contact'), true],
    [when('event', 'formCompletion', 'greater_than', 40), false],
    [when('event', 'formCompletion', 'greater_than_or_equal', 40), true],
    [when('event', 'formCompletion', 'less_than_or_equal', 39), false],
    [when('event', 'fields', 'contains', 'phone'), true],
    [when('event', 'page.path', 'contains', '/auto'), true],
    [when('trait', 'region', 'in', ['west', 'east']), true],
    [when('trait', 'region', 'in', ['north']), false],
    [when('trait', 'region', 'exists'), true],
    [when('trait', 'plan', 'exists'), false],
    [when('trait', 'plan', 'not_exists'), true],
    [when('trait', 'missing', 'not_exists'), true],
    [when('rollup', 'countsByType.quote_request', 'greater_than', 1), true],
  ])('%j holds: %s', (condition, expected) => {
    expect(holds(condition, facts)).toBe(expected);
  });

  it('never matches a comparison across types, nor a missing field', () => {
    expect(holds(when('event', 'formCompletion', 'less_than', '100'), facts)).toBe(false);
    expect(holds(when('event', 'nope', 'less_than', 100), facts)).toBe(false);
    expect(holds(when('trait', 'region', 'greater_than', 5), facts)).toBe(false);
  });

  it('reads only own properties along a path', () => {
    expect(readPath({ a: { b: 1 } }, 'a.b')).toBe(1);
    expect(readPath({ a: {} }, 'a.constructor')).toBeUndefined();
    expect(readPath({ a: 'text' }, 'a.length')).toBeUndefined();
  });

  it('combines conditions with all and any; an empty list always holds for all', () => {
    const yes = when('event', 'formId', 'equals', 'quote');
    const no = when('event', 'formId', 'equals', 'contact');

    expect(matchesAll([yes, no], facts)).toBe(false);
    expect(matchesAny([yes, no], facts)).toBe(true);
    expect(matchesAll([], facts)).toBe(true);
  });
});
