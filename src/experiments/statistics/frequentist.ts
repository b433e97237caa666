import normalCdf from '@stdlib/stats-base-dists-normal-cdf';
import normalQuantile from '@stdlib/stats-base-dists-normal-quantile';
import tCdf from '@stdlib/stats-base-dists-t-cdf';
import tQuantile from '@stdlib/stats-base-dists-t-quantile';

/** A variant's conversions out of its exposed leads. */
export interface Proportion {
  n: number;
  conversions: number;
}

/** A variant's metric summarised: leads, mean per lead, and sample variance (n − 1). */
export interface MeanSummary {
  n: number;
  mean: number;
  variance: number;
}

/** A variant against control: lifts, their intervals, the test statistic and its two-sided p-value. */
export interface Comparison {
  control: number;
  variant: number;
  absoluteLift: number;
  /** (variant − control) / control; null when control is 0. */
  relativeLift: number | null;
  ci: [number, number];
  relativeCi: [number, number] | null;
  statistic: number;
  pValue: number;
  /** Welch–Satterthwaite degrees of freedom (means only). */
  df?: number;
}

/**
 * Two-proportion z-test: the pooled proportion's standard error for the test (as R's
 * `prop.test(correct = FALSE)` and statsmodels' `proportions_ztest`), the unpooled one for
 * the Wald interval of the difference.
 */
export function proportionTest(control: Proportion, variant: Proportion, alpha = 0.05): Comparison {
  const pc = control.conversions / control.n;
  const pv = variant.conversions / variant.n;
  const pooled = (control.conversions + variant.conversions) / (control.n + variant.n);
  const pooledSe = Math.sqrt(pooled * (1 - pooled) * (1 / control.n + 1 / variant.n));
  const z = pooledSe > 0 ? (pv - pc) / pooledSe : 0;
  const varianceC = (pc * (1 - pc)) / control.n;
  const varianceV = (pv * (1 - pv)) / variant.n;
  const critical = normalQuantile(1 - alpha / 2, 0, 1);
  return {
    ...lifts(pc, pv, varianceC, varianceV, critical),
    statistic: z,
    pValue: 2 * (1 - normalCdf(Math.abs(z), 0, 1)),
  };
}

/** Welch's unequal-variance t-test on the means, with the t interval of their difference. */
export function welchTest(control: MeanSummary, variant: MeanSummary, alpha = 0.05): Comparison {
  const varianceC = control.variance / control.n;
  const varianceV = variant.variance / variant.n;
  const se = Math.sqrt(varianceC + varianceV);
  const df = (varianceC + varianceV) ** 2 / (varianceC ** 2 / (control.n - 1) + varianceV ** 2 / (variant.n - 1));
  const t = se > 0 ? (variant.mean - control.mean) / se : 0;
  const critical = Number.isFinite(df) ? tQuantile(1 - alpha / 2, df) : normalQuantile(1 - alpha / 2, 0, 1);
  return {
    ...lifts(control.mean, variant.mean, varianceC, varianceV, critical),
    statistic: t,
    pValue: Number.isFinite(df) ? 2 * (1 - tCdf(Math.abs(t), df)) : 1,
    df,
  };
}

/**
 * Absolute lift with its interval, and relative lift with the delta method's interval of a
 * ratio of independent means (as GrowthBook and Statsig report relative lift).
 */
function lifts(control: number, variant: number, varianceC: number, varianceV: number, critical: number) {
  const absoluteLift = variant - control;
  const half = critical * Math.sqrt(varianceC + varianceV);
  const ci: [number, number] = [absoluteLift - half, absoluteLift + half];
  if (control === 0) return { control, variant, absoluteLift, ci, relativeLift: null, relativeCi: null };
  const relativeLift = absoluteLift / control;
  const relativeSe = Math.sqrt(varianceV / control ** 2 + (variant ** 2 * varianceC) / control ** 4);
  const relativeCi: [number, number] = [relativeLift - critical * relativeSe, relativeLift + critical * relativeSe];
  return { control, variant, absoluteLift, ci, relativeLift, relativeCi };
}
