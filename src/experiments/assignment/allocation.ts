import { bucketOf, bucketV1 } from './hash';

/** A variant's slice of [0, 1): leads whose position falls in [start, end) get it. */
export type BucketRange = readonly [start: number, end: number];

/**
 * Each variant's slice, GrowthBook's `getBucketRanges`: variant i starts where the weights
 * before it sum to and covers `coverage` of its weight. A slice never moves when coverage
 * changes, it only grows or shrinks from its start, so raising coverage adds leads and
 * moves nobody from one variant to another. Weights that do not sum to 1 (±0.01) or do not
 * match the variants fall back to equal weights.
 */
export function bucketRanges(variants: number, coverage: number, weights?: readonly number[]): BucketRange[] {
  const cover = Math.min(1, Math.max(0, coverage));
  const equal = Array.from({ length: variants }, () => 1 / variants);
  const sum = weights?.reduce((total, w) => total + w, 0) ?? 0;
  const shares = weights && weights.length === variants && sum >= 0.99 && sum <= 1.01 ? weights : equal;
  let start = 0;
  return shares.map((weight) => {
    const range: BucketRange = [start, start + cover * weight];
    start += weight;
    return range;
  });
}

/** The variant whose slice holds `position`, or -1 when it is outside every slice (not covered). */
export function variantAt(position: number, ranges: readonly BucketRange[]): number {
  return ranges.findIndex(([start, end]) => position >= start && position < end);
}

/**
 * A layer (GrowthBook's namespace) splits leads between mutually exclusive experiments:
 * each experiment in it owns a disjoint [start, end) of the layer's own hash of the lead.
 */
export interface LayerSlot {
  layer: string;
  start: number;
  end: number;
}

/** Whether a lead falls in an experiment's slot of its layer (GrowthBook's `inNamespace`). */
export function inLayer(leadId: string, slot: LayerSlot): boolean {
  const position = bucketV1(`__${slot.layer}`, leadId);
  return position >= slot.start && position < slot.end;
}

/** The variant a lead gets in an experiment seeded `seed`, or -1 when coverage leaves it out. */
export function assignVariant(seed: string, leadId: string, ranges: readonly BucketRange[]): number {
  return variantAt(bucketOf(seed, leadId), ranges);
}
