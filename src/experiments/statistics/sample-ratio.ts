import chiSquareCdf from '@stdlib/stats-base-dists-chisquare-cdf';

/** Below this p-value the split is called a mismatch (Microsoft's ExP and GrowthBook use 0.001). */
export const SRM_THRESHOLD = 0.001;

export interface SampleRatioCheck {
  statistic: number;
  df: number;
  pValue: number;
  mismatch: boolean;
}

/**
 * Pearson's chi-square goodness of fit of the leads exposed per variant against the
 * variants' weights: a small p-value means assignment or exposure logging is broken, and
 * no result of the experiment can be trusted.
 */
export function sampleRatioCheck(
  observed: readonly number[],
  weights: readonly number[],
  threshold = SRM_THRESHOLD,
): SampleRatioCheck {
  const total = observed.reduce((sum, n) => sum + n, 0);
  const weightSum = weights.reduce((sum, w) => sum + w, 0);
  const df = observed.length - 1;
  if (total === 0 || df < 1) return { statistic: 0, df: Math.max(df, 0), pValue: 1, mismatch: false };
  const statistic = observed.reduce((sum, n, i) => {
    const expected = (total * weights[i]) / weightSum;
    return sum + (n - expected) ** 2 / expected;
  }, 0);
  const pValue = 1 - chiSquareCdf(statistic, df);
  return { statistic, df, pValue, mismatch: pValue < threshold };
}
