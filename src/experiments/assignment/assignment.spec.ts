import { assignVariant, bucketRanges, inLayer, variantAt } from './allocation';
import { bucketOf, bucketV1, fnv1a32 } from './hash';

const ids = Array.from({ length: 100_000 }, (_, i) => `lead-${i}`);

describe('assignment hashing', () => {
  // Landon Curt Noll's FNV test suite (isthe.com/chongo/tech/comp/fnv), FNV-1a 32-bit.
  it.each([
    ['', 0x811c9dc5],
    ['a', 0xe40c292c],
    ['ab', 0x4d2505ca],
    ['foobar', 0xbf9cf968],
  ])('FNV-1a 32 of %j is the published value', (text, expected) => {
    expect(fnv1a32(text)).toBe(expected);
  });

  // GrowthBook's SDK conformance cases (growthbook/packages/sdk-js/test/cases.json, "hash"):
  // [seed, value, version, expected], so GrowthBook SDKs reproduce Nudge's buckets.
  it.each([
    ['', 'a', 1, 0.22],
    ['', 'b', 1, 0.077],
    ['b', 'a', 1, 0.946],
    ['ef', 'd', 1, 0.652],
    ['asdf', '8952klfjas09ujk', 1, 0.549],
    ['', '123', 1, 0.011],
    ['', '___)((*":&', 1, 0.563],
    ['seed', 'a', 2, 0.0505],
    ['seed', 'b', 2, 0.2696],
    ['foo', 'ab', 2, 0.2575],
    ['foo', 'def', 2, 0.2019],
    ['89123klj', '8952klfjas09ujkasdf', 2, 0.124],
    ['90850943850283058242805', '123', 2, 0.7516],
    ['()**(%$##$%#$#', '___)((*":&', 2, 0.0128],
  ])('seed %j, id %j, hash v%d is %d, as in GrowthBook', (seed, id, version, expected) => {
    expect(version === 1 ? bucketV1(seed, id) : bucketOf(seed, id)).toBe(expected);
  });
});

describe('bucketRanges', () => {
  // GrowthBook's cases.json "getBucketRange": [variants, coverage, weights] -> ranges.
  it.each([
    [
      2,
      1,
      undefined,
      [
        [0, 0.5],
        [0.5, 1],
      ],
    ],
    [
      2,
      0.5,
      undefined,
      [
        [0, 0.25],
        [0.5, 0.75],
      ],
    ],
    [
      2,
      0,
      undefined,
      [
        [0, 0],
        [0.5, 0.5],
      ],
    ],
    [
      4,
      1,
      undefined,
      [
        [0, 0.25],
        [0.25, 0.5],
        [0.5, 0.75],
        [0.75, 1],
      ],
    ],
    [
      2,
      1,
      [0.4, 0.6],
      [
        [0, 0.4],
        [0.4, 1],
      ],
    ],
    [
      3,
      1,
      [0.2, 0.3, 0.5],
      [
        [0, 0.2],
        [0.2, 0.5],
        [0.5, 1],
      ],
    ],
    [
      3,
      0.2,
      [0.2, 0.3, 0.5],
      [
        [0, 0.04],
        [0.2, 0.26],
        [0.5, 0.6],
      ],
    ],
    [
      2,
      -0.2,
      undefined,
      [
        [0, 0],
        [0.5, 0.5],
      ],
    ],
    [
      2,
      1.5,
      undefined,
      [
        [0, 0.5],
        [0.5, 1],
      ],
    ],
    [
      2,
      1,
      [0.4, 0.1],
      [
        [0, 0.5],
        [0.5, 1],
      ],
    ],
    [
      2,
      1,
      [0.7, 0.6],
      [
        [0, 0.5],
        [0.5, 1],
      ],
    ],
    [
      4,
      1,
      [0.4, 0.4, 0.2],
      [
        [0, 0.25],
        [0.25, 0.5],
        [0.5, 0.75],
        [0.75, 1],
      ],
    ],
    [
      2,
      1,
      [0.4, 0.5999],
      [
        [0, 0.4],
        [0.4, 0.9999],
      ],
    ],
  ])('%d variants, coverage %d, weights %j', (variants, coverage, weights, expected) => {
    const ranges = bucketRanges(variants, coverage, weights);
    expect(ranges).toHaveLength(expected.length);
    ranges.forEach(([start, end], i) => {
      expect(start).toBeCloseTo(expected[i][0], 9);
      expect(end).toBeCloseTo(expected[i][1], 9);
    });
  });

  it('gives the variant whose half-open slice holds the position, and -1 outside coverage', () => {
    const ranges = bucketRanges(2, 0.5);
    expect([0, 0.2499, 0.25, 0.5, 0.7499, 0.75, 0.9999].map((p) => variantAt(p, ranges))).toEqual([
      0, 0, -1, 1, 1, -1, -1,
    ]);
  });
});

describe('assignVariant over 100,000 ids', () => {
  it('gives the same variant for the same seed and id, and another seed reshuffles', () => {
    const ranges = bucketRanges(2, 1);
    const first = ids.map((id) => assignVariant('checkout-test', id, ranges));
    expect(ids.map((id) => assignVariant('checkout-test', id, ranges))).toEqual(first);
    const reseeded = ids.map((id) => assignVariant('pricing-test', id, ranges));
    const same = reseeded.filter((variant, i) => variant === first[i]).length;
    expect(same / ids.length).toBeGreaterThan(0.48);
    expect(same / ids.length).toBeLessThan(0.52);
  });

  it.each([[[0.5, 0.5]], [[0.2, 0.3, 0.5]], [[0.1, 0.9]]])(
    'splits by weights %j within 0.5 percentage points',
    (weights) => {
      const ranges = bucketRanges(weights.length, 1, weights);
      const counts = weights.map(() => 0);
      for (const id of ids) counts[assignVariant('uniformity', id, ranges)]++;
      // A share's standard error at 100k is at most 0.16 points: 0.5 points is > 3 of them.
      counts.forEach((count, i) => expect(Math.abs(count / ids.length - weights[i])).toBeLessThan(0.005));
    },
  );

  it('moves nobody between variants when coverage changes, only into or out of the experiment', () => {
    const weights = [0.4, 0.6];
    const at = (coverage: number) => ids.map((id) => assignVariant('ramp', id, bucketRanges(2, coverage, weights)));
    const low = at(0.3);
    const high = at(0.8);
    const full = at(1);
    ids.forEach((_, i) => {
      if (low[i] !== -1) expect(high[i]).toBe(low[i]);
      if (high[i] !== -1) expect(full[i]).toBe(high[i]);
    });
    const covered = (assigned: number[]) => assigned.filter((v) => v !== -1).length / ids.length;
    expect(covered(low)).toBeCloseTo(0.3, 1);
    expect(covered(high)).toBeCloseTo(0.8, 1);
    expect(covered(full)).toBe(1);
  });
});

describe('inLayer', () => {
  // GrowthBook's cases.json "inNamespace": [id, namespace, start, end] -> in it.
  it.each([
    ['1', 'namespace1', 0, 0.4, false],
    ['1', 'namespace1', 0.4, 1, true],
    ['1', 'namespace2', 0, 0.4, false],
    ['1', 'namespace2', 0.4, 1, true],
    ['2', 'namespace1', 0, 0.4, false],
    ['2', 'namespace1', 0.4, 1, true],
    ['2', 'namespace2', 0, 0.4, false],
    ['2', 'namespace2', 0.4, 1, true],
    ['3', 'namespace1', 0, 0.4, false],
    ['3', 'namespace1', 0.4, 1, true],
    ['3', 'namespace2', 0, 0.4, true],
    ['3', 'namespace2', 0.4, 1, false],
    ['4', 'namespace1', 0, 0.4, false],
    ['4', 'namespace1', 0.4, 1, true],
    ['4', 'namespace2', 0, 0.4, true],
    ['4', 'namespace2', 0.4, 1, false],
  ])('lead %j in %j [%d, %d) is %j, as in GrowthBook', (leadId, layer, start, end, expected) => {
    expect(inLayer(leadId, { layer, start, end })).toBe(expected);
  });

  it("puts every lead in exactly one of a layer's disjoint slots", () => {
    const slots = [
      [0, 0.3],
      [0.3, 0.7],
      [0.7, 1],
    ].map(([start, end]) => ({ layer: 'checkout', start, end }));
    const inSlots = ids.map((id) => slots.filter((slot) => inLayer(id, slot)).length);
    expect(inSlots.every((n) => n === 1)).toBe(true);
    const firstShare = ids.filter((id) => inLayer(id, slots[0])).length / ids.length;
    expect(Math.abs(firstShare - 0.3)).toBeLessThan(0.01);
  });
});
