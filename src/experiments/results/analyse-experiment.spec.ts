import { DEFAULT_SETTINGS } from '../dto/experiment.request';
import type { Metric } from '../experiment.model';
import { proportionTest } from '../statistics/frequentist';
import { holm } from '../statistics/multiple-testing';
import { analyseExperiment, VariantSample } from './analyse-experiment';

const primary: Metric = { id: 'primary', kind: 'conversion', event: 'signup' };
const guardrail: Metric = { id: 'revenue', kind: 'value', event: 'order', property: 'revenue' };

/** A variant whose leads convert `conversions` of `n` times, each conversion worth 10 of revenue. */
function variant(id: string, n: number, conversions: number, isControl = false, weight = 0.5): VariantSample {
  const conversion = { n, sum: conversions, sumSquares: conversions };
  const revenue = { n, sum: conversions * 10, sumSquares: conversions * 100 };
  return { id, name: id, weight, isControl, exposures: n, metrics: { primary: conversion, revenue } };
}

const settings = { ...DEFAULT_SETTINGS };

describe('analyseExperiment', () => {
  it('names the winner, with Holm-adjusted p-values across variants and metrics', () => {
    const sut = analyseExperiment({
      metrics: { primary, guardrails: [guardrail] },
      variants: [
        variant('Control', 2000, 200, true, 1 / 3),
        variant('B', 2000, 300, false, 1 / 3),
        variant('C', 2000, 205, false, 1 / 3),
      ],
      settings,
    });
    const b = sut.variants[1].metrics.primary.vsControl!;
    const raw = [
      b.pValue,
      sut.variants[1].metrics.revenue.vsControl!.pValue,
      sut.variants[2].metrics.primary.vsControl!.pValue,
      sut.variants[2].metrics.revenue.vsControl!.pValue,
    ];
    expect(b.pValue).toBeCloseTo(
      proportionTest({ n: 2000, conversions: 200 }, { n: 2000, conversions: 300 }).pValue,
      12,
    );
    expect(b.adjustedPValue).toBeCloseTo(holm(raw)[0], 12);
    expect(sut.verdict).toMatch(/^B beats Control on signup \(conversion\): \+50\.0%/);
    expect(sut.srm.mismatch).toBe(false);
    expect(sut.canStopEarly).toBe(true);
  });

  it('distrusts everything on a sample ratio mismatch', () => {
    const sut = analyseExperiment({
      metrics: { primary, guardrails: [] },
      variants: [variant('Control', 5000, 500, true), variant('B', 4500, 600)],
      settings,
    });
    expect(sut.srm.mismatch).toBe(true);
    expect(sut.canStopEarly).toBe(false);
    expect(sut.verdict).toMatch(/^Sample ratio mismatch/);
  });

  it('waits for the minimum sample, and says when nothing differs', () => {
    const small = analyseExperiment({
      metrics: { primary, guardrails: [] },
      variants: [variant('Control', 80, 8, true), variant('B', 80, 20)],
      settings,
    });
    expect(small.enoughData).toBe(false);
    expect(small.verdict).toBe('Not enough data yet: every variant needs 100 exposed leads; the smallest has 80.');
    const flat = analyseExperiment({
      metrics: { primary, guardrails: [] },
      variants: [variant('Control', 1000, 100, true), variant('B', 1000, 102)],
      settings,
    });
    expect(flat.verdict).toMatch(/^No significant difference on signup/);
    expect(flat.canStopEarly).toBe(false);
  });

  it('flags a guardrail that got worse', () => {
    const sut = analyseExperiment({
      metrics: { primary: guardrail, guardrails: [primary] },
      variants: [variant('Control', 3000, 600, true), variant('B', 3000, 450)],
      settings,
    });
    expect(sut.verdict).toMatch(/B is worse on the guardrail signup \(conversion\)\.$/);
  });
});
