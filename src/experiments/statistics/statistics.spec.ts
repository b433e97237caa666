import { chanceToBeat, meanPosterior, proportionPosterior } from './bayesian';
import { MeanSummary, proportionTest, welchTest } from './frequentist';
import { benjaminiHochberg, holm } from './multiple-testing';
import { sampleRatioCheck } from './sample-ratio';
import { conversionPower, minimumDetectableEffect, sampleSizePerVariant } from './sample-size';
import { confidenceSequence } from './sequential';

/** A reproducible uniform generator (mulberry32), so the simulations below are the same every run. */
function seeded(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function summarise(values: readonly number[]): MeanSummary {
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  const variance = values.reduce((s, v) => s + (v - mean) ** 2, 0) / (values.length - 1);
  return { n: values.length, mean, variance };
}

describe('proportionTest', () => {
  // statsmodels 0.15: proportions_ztest([130, 100], [1000, 1000]) and
  // confint_proportions_2indep(130, 1000, 100, 1000, method='wald', compare='diff').
  it('matches statsmodels on 130/1000 against 100/1000', () => {
    const sut = proportionTest({ n: 1000, conversions: 100 }, { n: 1000, conversions: 130 });
    expect(sut.statistic).toBeCloseTo(2.102740605622114, 9);
    expect(sut.pValue).toBeCloseTo(0.03548845046647471, 9);
    expect(sut.ci[0]).toBeCloseTo(0.0020679344393763587, 9);
    expect(sut.ci[1]).toBeCloseTo(0.057932065560623636, 9);
    expect(sut.absoluteLift).toBeCloseTo(0.03, 12);
    expect(sut.relativeLift).toBeCloseTo(0.3, 12);
  });

  it('has a relative interval that covers the true lift about 95% of the time', () => {
    const random = seeded(7);
    const draw = (n: number, p: number) => Array.from({ length: n }, () => random() < p).filter(Boolean).length;
    let covered = 0;
    const runs = 1_000;
    for (let run = 0; run < runs; run++) {
      const sut = proportionTest({ n: 2000, conversions: draw(2000, 0.1) }, { n: 2000, conversions: draw(2000, 0.12) });
      const [low, high] = sut.relativeCi!;
      if (low <= 0.2 && 0.2 <= high) covered++;
    }
    expect(covered / runs).toBeGreaterThan(0.93);
    expect(covered / runs).toBeLessThan(0.97);
  });
});

describe('welchTest', () => {
  // Wikipedia, "Welch's t-test", example 1 (A1, A2); SciPy 1.17.1:
  // scipy.stats.ttest_ind(A2, A1, equal_var=False) and its confidence_interval(0.95).
  const a1 = [27.5, 21.0, 19.0, 23.6, 17.0, 17.9, 16.9, 20.1, 21.9, 22.6, 23.1, 19.6, 19.0, 21.7, 21.4];
  const a2 = [27.1, 22.0, 20.8, 23.4, 23.4, 23.5, 25.8, 22.0, 24.8, 20.2, 21.9, 22.1, 22.9, 20.5, 24.4];

  it('matches SciPy and Wikipedia: t 2.46, 24.99 degrees of freedom, p 0.021', () => {
    const sut = welchTest(summarise(a1), summarise(a2));
    expect(sut.statistic).toBeCloseTo(2.455356398286006, 9);
    expect(sut.df).toBeCloseTo(24.988529290231416, 9);
    expect(sut.pValue).toBeCloseTo(0.021378001462866992, 9);
    expect(sut.ci[0]).toBeCloseTo(0.3492370661924069, 9);
    expect(sut.ci[1]).toBeCloseTo(3.984096267140929, 9);
  });
});

describe('chanceToBeat', () => {
  // SciPy 1.17.1 numerical integration of the exact Beta(1 + x, 1 + n − x) posteriors
  // (Evan Miller, "Formulas for Bayesian A/B testing"): P(B > A) = ∫ f_A(x) S_B(x) dx,
  // expected losses E[max(A − B, 0)] and E[max(B − A, 0)].
  it('is within 0.002 of the exact Beta answer for 130/1000 against 100/1000', () => {
    const sut = chanceToBeat(
      proportionPosterior({ n: 1000, conversions: 100 }),
      proportionPosterior({ n: 1000, conversions: 130 }),
    );
    expect(Math.abs(sut.chanceToBeatControl - 0.9821650661163507)).toBeLessThan(0.002);
    expect(Math.abs(sut.expectedLoss - 9.237443686605904e-5)).toBeLessThan(2e-5);
    expect(Math.abs(sut.expectedLossControl - 0.030032494210916756)).toBeLessThan(2e-4);
  });

  it('gives one half and equal losses for identical variants, and mirrors when swapped', () => {
    const posterior = meanPosterior({ n: 500, mean: 12, variance: 40 });
    expect(chanceToBeat(posterior, posterior).chanceToBeatControl).toBe(0.5);
    const better = meanPosterior({ n: 500, mean: 13, variance: 40 });
    const forward = chanceToBeat(posterior, better);
    const backward = chanceToBeat(better, posterior);
    expect(forward.chanceToBeatControl + backward.chanceToBeatControl).toBeCloseTo(1, 12);
    expect(forward.expectedLoss).toBeCloseTo(backward.expectedLossControl, 12);
  });
});

describe('sampleRatioCheck', () => {
  // SciPy 1.17.1: scipy.stats.chisquare([50000, 51000]) and chisquare([1010, 990]).
  it('matches SciPy and alerts only below p 0.001', () => {
    const skewed = sampleRatioCheck([50_000, 51_000], [0.5, 0.5]);
    expect(skewed.statistic).toBeCloseTo(9.900990099009901, 9);
    expect(skewed.pValue).toBeCloseTo(0.001651898732357361, 9);
    expect(skewed.mismatch).toBe(false);
    const fine = sampleRatioCheck([1010, 990], [1, 1]);
    expect(fine.statistic).toBeCloseTo(0.2, 12);
    expect(fine.pValue).toBeCloseTo(0.6547208460185768, 9);
    expect(sampleRatioCheck([5000, 5100, 4800], [0.3, 0.3, 0.4]).mismatch).toBe(true);
  });
});

describe('multiple-testing corrections', () => {
  // statsmodels 0.15: multipletests(p, method='holm' | 'fdr_bh'), which reproduces R's p.adjust.
  const p = [0.01, 0.04, 0.03, 0.005, 0.2];
  it('Holm matches statsmodels', () => {
    holm(p).forEach((value, i) => expect(value).toBeCloseTo([0.04, 0.09, 0.09, 0.025, 0.2][i], 12));
  });
  it('Benjamini–Hochberg matches statsmodels', () => {
    benjaminiHochberg(p).forEach((value, i) => expect(value).toBeCloseTo([0.025, 0.05, 0.05, 0.025, 0.2][i], 12));
  });
});

describe('sample size and minimum detectable effect', () => {
  // R's documentation of power.prop.test: power.prop.test(n = 50, p1 = .5, p2 = .75) gives
  // power 0.7401659, and power.prop.test(p1 = .5, p2 = .75, power = .9) n = 76.7 per group.
  it('matches R power.prop.test', () => {
    expect(conversionPower(50, 0.5, 0.75)).toBeCloseTo(0.7401659, 6);
    expect(sampleSizePerVariant({ baseline: 0.5, power: 0.9 }, 0.25)).toBeCloseTo(76.7, 1);
    // power.prop.test(p1 = .2, p2 = .25, power = .8): n = 1093.739.
    expect(sampleSizePerVariant({ baseline: 0.2 }, 0.05)).toBeCloseTo(1093.739, 3);
  });

  it('gives back the effect a sample size was planned for', () => {
    const n = sampleSizePerVariant({ baseline: 0.1 }, 0.02);
    expect(minimumDetectableEffect({ baseline: 0.1 }, n)).toBeCloseTo(0.02, 6);
  });
});

describe('confidenceSequence', () => {
  /**
   * A/A tests (no true difference) read after every 200 leads per variant up to 10,000:
   * the fixed-horizon z-test declares a winner far more often than 5% when peeked at, the
   * confidence sequence does not.
   */
  it('keeps false positives under 5% when read after every batch, where the z-test does not', () => {
    const random = seeded(42);
    const runs = 400;
    let naive = 0;
    let sequential = 0;
    for (let run = 0; run < runs; run++) {
      const counts = { control: 0, variant: 0 };
      let naiveHit = false;
      let sequentialHit = false;
      for (let n = 200; n <= 10_000; n += 200) {
        for (let i = 0; i < 200; i++) {
          if (random() < 0.1) counts.control++;
          if (random() < 0.1) counts.variant++;
        }
        const test = proportionTest({ n, conversions: counts.control }, { n, conversions: counts.variant });
        if (test.pValue < 0.05) naiveHit = true;
        const pc = counts.control / n;
        const pv = counts.variant / n;
        const variance = (pc * (1 - pc) + pv * (1 - pv)) / n;
        if (confidenceSequence({ difference: pv - pc, variance, n: 2 * n }).pValue < 0.05) sequentialHit = true;
      }
      if (naiveHit) naive++;
      if (sequentialHit) sequential++;
    }
    expect(naive / runs).toBeGreaterThan(0.15);
    expect(sequential / runs).toBeLessThan(0.05);
  });

  it('is wider than the fixed-horizon interval, and its p-value rejects exactly when it excludes 0', () => {
    const estimate = { difference: 0.03, variance: 0.0002, n: 4000 };
    const sut = confidenceSequence(estimate);
    const fixedHalf = 1.959963984540054 * Math.sqrt(estimate.variance);
    expect(sut.ci[1] - sut.ci[0]).toBeGreaterThan(2 * fixedHalf);
    expect(sut.ci[0] > 0).toBe(sut.pValue < 0.05);
    // A difference exactly one half-width from 0 is on the sequence's edge: p-value α.
    const edge = confidenceSequence({ ...estimate, difference: (sut.ci[1] - sut.ci[0]) / 2 });
    expect(edge.pValue).toBeCloseTo(0.05, 9);
  });
});
