import normalCdf from '@stdlib/stats-base-dists-normal-cdf';
import normalPdf from '@stdlib/stats-base-dists-normal-pdf';
import type { MeanSummary, Proportion } from './frequentist';

/** A posterior summarised by its mean and variance. */
export interface Posterior {
  mean: number;
  variance: number;
}

/** Chance a variant beats control, and the expected loss of shipping either. */
export interface BayesianComparison {
  chanceToBeatControl: number;
  /** Expected shortfall if the variant is shipped and control was better (metric units). */
  expectedLoss: number;
  /** Expected shortfall if control is kept and the variant was better. */
  expectedLossControl: number;
}

/** A conversion rate's posterior under a uniform Beta(1, 1) prior: Beta(1 + x, 1 + n − x). */
export function proportionPosterior({ n, conversions }: Proportion): Posterior {
  const a = 1 + conversions;
  const b = 1 + n - conversions;
  return { mean: a / (a + b), variance: (a * b) / ((a + b) ** 2 * (a + b + 1)) };
}

/** A mean's posterior under a flat prior: normal around the sample mean with its squared standard error. */
export function meanPosterior({ n, mean, variance }: MeanSummary): Posterior {
  return { mean, variance: variance / n };
}

/**
 * The difference of two posteriors taken as normal (GrowthBook's Bayesian engine does the
 * same): P(variant > control) = Φ(δ/σ), and the expected loss E[max(0, −X)] of X ~ N(δ, σ²),
 * σ·φ(δ/σ) − δ·Φ(−δ/σ).
 */
export function chanceToBeat(control: Posterior, variant: Posterior): BayesianComparison {
  const delta = variant.mean - control.mean;
  const sigma = Math.sqrt(control.variance + variant.variance);
  if (sigma === 0) {
    return {
      chanceToBeatControl: delta > 0 ? 1 : delta < 0 ? 0 : 0.5,
      expectedLoss: Math.max(0, -delta),
      expectedLossControl: Math.max(0, delta),
    };
  }
  const z = delta / sigma;
  const density = sigma * normalPdf(z, 0, 1);
  return {
    chanceToBeatControl: normalCdf(z, 0, 1),
    expectedLoss: density - delta * normalCdf(-z, 0, 1),
    expectedLossControl: density + delta * normalCdf(z, 0, 1),
  };
}
