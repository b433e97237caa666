/**
 * Always-valid inference: a confidence sequence covers the true difference at every sample
 * size at once with probability ≥ 1 − α, so the results may be read (and the experiment
 * stopped) after every analysis without inflating false positives. This is the normal-
 * mixture asymptotic confidence sequence of Waudby-Smith et al., "Time-uniform central limit
 * theory and asymptotic confidence sequences" (Annals of Statistics, 2024), as GrowthBook's
 * sequential engine uses it, with the mixture tuned to be tightest at a planned sample size.
 */

/** An estimate of a difference after `n` leads in all (every variant compared). */
export interface SequentialEstimate {
  difference: number;
  /** The variance of the difference's estimate (its squared standard error). */
  variance: number;
  n: number;
}

export interface SequentialResult {
  ci: [number, number];
  /** The smallest α whose sequence excludes 0: reject at α whenever this is ≤ α. */
  pValue: number;
}

/** The mixture's ρ², chosen so the sequence is narrowest when `n` reaches `plannedN`. */
function mixture(alpha: number, plannedN: number): number {
  const logAlpha = -2 * Math.log(alpha);
  return (logAlpha + Math.log(logAlpha + 1)) / plannedN;
}

/** The confidence sequence's interval and the always-valid p-value at this sample size. */
export function confidenceSequence(
  { difference, variance, n }: SequentialEstimate,
  alpha = 0.05,
  plannedN = 5_000,
): SequentialResult {
  if (n <= 0 || variance <= 0) return { ci: [-Infinity, Infinity], pValue: 1 };
  const rho2 = mixture(alpha, plannedN);
  const perLead = variance * n; // the variance a single lead contributes
  const spread = n * rho2 + 1;
  const half = Math.sqrt(((perLead * 2 * spread) / (n * n * rho2)) * Math.log(Math.sqrt(spread) / alpha));
  // Solving half-width(α) = |difference| for α, with the mixture kept as tuned.
  const pValue = Math.sqrt(spread) * Math.exp(-(difference ** 2 * n * n * rho2) / (2 * perLead * spread));
  return { ci: [difference - half, difference + half], pValue: Math.min(1, pValue) };
}
