import normalCdf from '@stdlib/stats-base-dists-normal-cdf';
import normalQuantile from '@stdlib/stats-base-dists-normal-quantile';

/** A planned two-variant conversion test: baseline rate, and the error rates accepted. */
export interface ConversionPlan {
  baseline: number;
  alpha?: number;
  power?: number;
}

/**
 * The power of a two-sided two-proportion test with `n` leads per variant, R's
 * `power.prop.test` (strict = FALSE): the pooled variance under the null, each rate's own
 * under the alternative.
 */
export function conversionPower(n: number, baseline: number, target: number, alpha = 0.05): number {
  const delta = Math.abs(target - baseline);
  const pooled = (baseline + target) / 2;
  const null0 = Math.sqrt(2 * pooled * (1 - pooled));
  const alt = Math.sqrt(baseline * (1 - baseline) + target * (1 - target));
  return normalCdf((Math.sqrt(n) * delta - normalQuantile(1 - alpha / 2, 0, 1) * null0) / alt, 0, 1);
}

/** Leads needed per variant to detect an absolute change `mde` of the baseline rate. */
export function sampleSizePerVariant({ baseline, alpha = 0.05, power = 0.8 }: ConversionPlan, mde: number): number {
  const target = baseline + mde;
  const pooled = (baseline + target) / 2;
  const null0 = normalQuantile(1 - alpha / 2, 0, 1) * Math.sqrt(2 * pooled * (1 - pooled));
  const alt = normalQuantile(power, 0, 1) * Math.sqrt(baseline * (1 - baseline) + target * (1 - target));
  return ((null0 + alt) / mde) ** 2;
}

/**
 * The smallest absolute lift of the baseline rate that `n` leads per variant detect with
 * the plan's power (bisection on the power, which rises with the lift).
 */
export function minimumDetectableEffect({ baseline, alpha = 0.05, power = 0.8 }: ConversionPlan, n: number): number {
  let low = 0;
  let high = 1 - baseline;
  if (conversionPower(n, baseline, baseline + high, alpha) < power) return Infinity;
  for (let i = 0; i < 60; i++) {
    const mid = (low + high) / 2;
    if (conversionPower(n, baseline, baseline + mid, alpha) < power) low = mid;
    else high = mid;
  }
  return high;
}
