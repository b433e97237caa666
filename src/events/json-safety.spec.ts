import { findUnsafeJson, MAX_DEPTH } from './json-safety';

/** `levels` objects nested inside each other under the key `a`, the innermost holding a number. */
function nested(levels: number): Record<string, unknown> {
  let value: Record<string, unknown> = { a: 1 };
  for (let level = 1; level < levels; level++) value = { a: value };
  return value;
}

describe('findUnsafeJson', () => {
  describe('safe values', () => {
    it.each([
      ['null', null],
      ['a string', '$set'],
      ['a number', 42],
      ['an empty object', {}],
      ['an empty array', []],
    ])('accepts %s', (_name, value) => {
      expect(findUnsafeJson(value)).toBeUndefined();
    });

    it('accepts an event with ordinary nested keys, and "$" or "." inside values and mid-key', () => {
      const sut = findUnsafeJson({
        type: 'track',
        properties: { price$: 1, query: '$where a.b', items: [{ sku: 'a.b', tags: ['$x'] }] },
      });

      expect(sut).toBeUndefined();
    });
  });

  describe('keys MongoDB would misread', () => {
    it('refuses an empty key, which would make an empty update path', () => {
      expect(findUnsafeJson({ traits: { '': 'x' } })).toBe('traits: keys may not be empty');
    });

    it('refuses a key starting with "$", naming where it is', () => {
      const sut = findUnsafeJson({ properties: { filter: { $where: 'sleep(1000)' } } });

      expect(sut).toBe('properties.filter.$where: keys may not start with "$" or contain "." or NUL');
    });

    it('refuses a dotted key', () => {
      expect(findUnsafeJson({ traits: { 'address.city': 'Berlin' } })).toBe(
        'traits.address.city: keys may not start with "$" or contain "." or NUL',
      );
    });

    it('refuses a key containing NUL', () => {
      expect(findUnsafeJson({ context: { 'a\0b': 1 } })).toMatch(/^context\.a\0b: keys may not/);
    });

    it('finds bad keys inside arrays, naming the index', () => {
      const sut = findUnsafeJson({ properties: { items: [{ sku: 'a' }, { $inc: 1 }] } });

      expect(sut).toBe('properties.items[1].$inc: keys may not start with "$" or contain "." or NUL');
    });

    it('refuses a bad top-level key', () => {
      expect(findUnsafeJson({ $set: { admin: true } })).toMatch(/^\$set: /);
    });
  });

  describe('nesting', () => {
    it(`accepts ${MAX_DEPTH} nested objects`, () => {
      expect(findUnsafeJson(nested(MAX_DEPTH))).toBeUndefined();
    });

    it(`refuses ${MAX_DEPTH + 1} nested objects, naming the one too deep`, () => {
      const path = Array.from({ length: MAX_DEPTH }, () => 'a').join('.');

      expect(findUnsafeJson(nested(MAX_DEPTH + 1))).toBe(`${path}: nested deeper than ${MAX_DEPTH} levels`);
    });

    it('counts arrays as levels too', () => {
      let value: unknown = 1;
      for (let level = 0; level <= MAX_DEPTH; level++) value = [value];

      expect(findUnsafeJson(value)).toMatch(/^(\[0\]){16}: nested deeper than 16 levels$/);
    });
  });
});
