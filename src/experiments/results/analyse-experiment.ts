import type { ExperimentSettings, Metric } from '../experiment.model';
import { chanceToBeat, meanPosterior, proportionPosterior } from '../statistics/bayesian';
import { Comparison, MeanSummary, proportionTest, welchTest } from '../statistics/frequentist';
import { benjaminiHochberg, holm } from '../statistics/multiple-testing';
import { sampleRatioCheck } from '../statistics/sample-ratio';
import { confidenceSequence } from '../statistics/sequential';

/** A metric's per-lead values in one variant, summed: what the statistics need and no more. */
export interface MetricSample {
  n: number;
  sum: number;
  sumSquares: number;
}

export interface VariantSample {
  id: string;
  name: string;
  weight: number;
  isControl: boolean;
  exposures: number;
  metrics: Record<string, MetricSample>;
}

export interface AnalysisInput {
  metrics: { primary: Metric; guardrails: readonly Metric[] };
  variants: readonly VariantSample[];
  settings: ExperimentSettings;
  /** The confidence sequence is tightest at this many leads in all. */
  plannedLeads?: number;
}

export interface MetricResult {
  /** Conversion rate, or mean per exposed lead. */
  value: number;
  n: number;
  vsControl?: Comparison & {
    adjustedPValue: number;
    significant: boolean;
    chanceToBeatControl: number;
    expectedLoss: number;
    sequential: { ci: [number, number]; pValue: number; adjustedPValue: number };
  };
}

/**
 * Every variant against control on every metric: frequentist test and intervals, Bayesian
 * chance to beat control, the always-valid sequence; p-values corrected across all
 * comparisons (settings.correction); the sample-ratio check; and what it means, in a sentence.
 */
export function analyseExperiment({ metrics, variants, settings, plannedLeads = 5_000 }: AnalysisInput) {
  const control = variants.find((variant) => variant.isControl) ?? variants[0];
  const all = [metrics.primary, ...metrics.guardrails];
  const results = variants.map((variant) => ({
    variant,
    metrics: Object.fromEntries(
      all.map((metric) => [metric.id, compare(metric, control.metrics[metric.id], variant, settings, plannedLeads)]),
    ),
  }));
  correct(results, all, settings);
  const srm = sampleRatioCheck(
    variants.map((variant) => variant.exposures),
    variants.map((variant) => variant.weight),
  );
  const smallest = Math.min(...variants.map((variant) => variant.exposures));
  const enoughData = smallest >= settings.minSamplePerVariant;
  const primary = results
    .filter(({ variant }) => variant !== control)
    .flatMap(({ variant, metrics: m }) => {
      const c = m[metrics.primary.id].vsControl;
      return c ? [{ variant, c }] : [];
    });
  const canStopEarly =
    enoughData && !srm.mismatch && primary.some(({ c }) => c.sequential.adjustedPValue < settings.significance);
  // The variant significantly ahead on the primary metric, by the largest lift.
  const leading = primary
    .filter(({ c }) => c.significant && c.absoluteLift > 0)
    .sort((a, b) => b.c.absoluteLift - a.c.absoluteLift)[0];
  return {
    srm,
    enoughData,
    canStopEarly,
    ...(leading && { leadingVariantId: leading.variant.id }),
    variants: results.map(({ variant, metrics: byMetric }) => ({
      id: variant.id,
      name: variant.name,
      isControl: variant.isControl,
      exposures: variant.exposures,
      metrics: byMetric,
    })),
    verdict: verdict({ results, control, metrics, settings, srm, smallest, primary, leading }),
  };
}

export type ExperimentAnalysis = ReturnType<typeof analyseExperiment>;

function compare(
  metric: Metric,
  controlSample: MetricSample,
  variant: VariantSample,
  settings: ExperimentSettings,
  plannedLeads: number,
): MetricResult {
  const sample = variant.metrics[metric.id];
  const value = sample.n ? sample.sum / sample.n : 0;
  if (variant.isControl || controlSample.n < 2 || sample.n < 2) return { value, n: sample.n };
  const alpha = settings.significance;
  const conversion = metric.kind === 'conversion';
  const test = conversion
    ? proportionTest(
        { n: controlSample.n, conversions: controlSample.sum },
        { n: sample.n, conversions: sample.sum },
        alpha,
      )
    : welchTest(summary(controlSample), summary(sample), alpha);
  const bayes = conversion
    ? chanceToBeat(
        proportionPosterior({ n: controlSample.n, conversions: controlSample.sum }),
        proportionPosterior({ n: sample.n, conversions: sample.sum }),
      )
    : chanceToBeat(meanPosterior(summary(controlSample)), meanPosterior(summary(sample)));
  const variance = varianceOfMean(controlSample) + varianceOfMean(sample);
  const sequential = confidenceSequence(
    { difference: test.absoluteLift, variance, n: controlSample.n + sample.n },
    alpha,
    plannedLeads,
  );
  return {
    value,
    n: sample.n,
    vsControl: {
      ...test,
      adjustedPValue: test.pValue,
      significant: test.pValue < alpha,
      chanceToBeatControl: bayes.chanceToBeatControl,
      expectedLoss: bayes.expectedLoss,
      sequential: { ...sequential, adjustedPValue: sequential.pValue },
    },
  };
}

/** Corrects the fixed-horizon p-values across every comparison, and the sequential ones across the primary's. */
function correct(
  results: Array<{ metrics: Record<string, MetricResult> }>,
  metrics: readonly Metric[],
  settings: ExperimentSettings,
) {
  const adjust =
    settings.correction === 'holm' ? holm : settings.correction === 'none' ? (p: number[]) => p : benjaminiHochberg;
  const compared = results.flatMap((r) => metrics.map((m) => r.metrics[m.id].vsControl).filter((c) => c !== undefined));
  adjust(compared.map((c) => c.pValue)).forEach((p, i) => {
    compared[i].adjustedPValue = p;
    compared[i].significant = p < settings.significance;
  });
  const primary = results.map((r) => r.metrics[metrics[0].id].vsControl).filter((c) => c !== undefined);
  adjust(primary.map((c) => c.sequential.pValue)).forEach((p, i) => (primary[i].sequential.adjustedPValue = p));
}

type Compared = { variant: VariantSample; c: NonNullable<MetricResult['vsControl']> };

function verdict({
  results,
  control,
  metrics,
  settings,
  srm,
  smallest,
  primary,
  leading,
}: {
  results: Array<{ variant: VariantSample; metrics: Record<string, MetricResult> }>;
  control: VariantSample;
  metrics: AnalysisInput['metrics'];
  settings: ExperimentSettings;
  srm: { pValue: number; mismatch: boolean };
  smallest: number;
  /** Every variant against control on the primary metric, and the one significantly ahead. */
  primary: Compared[];
  leading?: Compared;
}): string {
  if (srm.mismatch)
    return `Sample ratio mismatch (p = ${format(srm.pValue)}): exposures do not follow the weights, so no result can be trusted; check assignment and exposure logging.`;
  if (smallest < settings.minSamplePerVariant)
    return `Not enough data yet: every variant needs ${settings.minSamplePerVariant} exposed leads; the smallest has ${smallest}.`;
  const others = results.filter(({ variant }) => variant !== control);
  const on = (metric: Metric) => others.map(({ variant, metrics: m }) => ({ variant, c: m[metric.id].vsControl! }));
  const losers = primary.filter(({ c }) => c.significant && c.absoluteLift < 0);
  const guardrails = metrics.guardrails.flatMap((metric) =>
    on(metric)
      .filter(({ c }) => c.significant && c.absoluteLift < 0)
      .map(({ variant }) => `${variant.name} is worse on the guardrail ${metric.event} (${metric.kind}).`),
  );
  const sentence = leading
    ? describe('beats', leading.variant, leading.c, control, metrics.primary)
    : losers.length
      ? describe('is worse than', losers[0].variant, losers[0].c, control, metrics.primary)
      : `No significant difference on ${metrics.primary.event} (${metrics.primary.kind}) yet; the smallest p-value is ${format(Math.min(...primary.map(({ c }) => c.adjustedPValue)))}.`;
  return [sentence, ...guardrails].join(' ');
}

function describe(
  verb: string,
  variant: VariantSample,
  c: NonNullable<MetricResult['vsControl']>,
  control: VariantSample,
  metric: Metric,
) {
  const lift =
    c.relativeLift === null
      ? `${signed(c.absoluteLift)} absolute`
      : `${signed(c.relativeLift * 100)}% (${Math.round(c.relativeCi![0] * 100)}% to ${Math.round(c.relativeCi![1] * 100)}%)`;
  return `${variant.name} ${verb} ${control.name} on ${metric.event} (${metric.kind}): ${lift}, p = ${format(c.adjustedPValue)}, chance to beat control ${Math.round(c.chanceToBeatControl * 100)}%.`;
}

function summary({ n, sum, sumSquares }: MetricSample): MeanSummary {
  const mean = sum / n;
  return { n, mean, variance: Math.max(0, (sumSquares - n * mean * mean) / (n - 1)) };
}

function varianceOfMean(sample: MetricSample): number {
  return summary(sample).variance / sample.n;
}

const signed = (value: number) => `${value >= 0 ? '+' : ''}${value.toFixed(1)}`;
const format = (p: number) => (p < 0.001 ? '< 0.001' : p.toFixed(3));
