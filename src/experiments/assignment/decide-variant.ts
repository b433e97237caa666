import type { ExperimentStatus, Variant } from '../experiment.model';
import { assignVariant, BucketRange, bucketRanges, inLayer, LayerSlot } from './allocation';

/** Why a lead got the variant it got. */
export type AssignmentReason =
  | 'assigned' // entered now
  | 'sticky' // entered before
  | 'concluded' // the experiment's winner, rolled out to everyone
  | 'not_running' // draft, scheduled, paused or completed: control, and nobody enters
  | 'not_in_layer' // the layer's slot belongs to another experiment
  | 'not_eligible' // outside the target segments or the allocation's criteria
  | 'not_covered'; // outside the coverage

export interface ExperimentToAssign {
  status: ExperimentStatus;
  seed: string;
  coverage: number;
  variants: readonly Variant[];
  layer?: { id: string; start: number; end: number };
  winnerVariantId?: string;
}

/** Each experiment's bucket ranges, computed once per definition read (a cached one is read once a moment). */
const ranges = new WeakMap<ExperimentToAssign, BucketRange[]>();

function rangesOf(experiment: ExperimentToAssign): BucketRange[] {
  let found = ranges.get(experiment);
  if (!found) {
    const weights = experiment.variants.map((variant) => variant.weight);
    found = bucketRanges(experiment.variants.length, experiment.coverage, weights);
    ranges.set(experiment, found);
  }
  return found;
}

/** The control: the flagged variant (validation makes sure there is one). */
export function controlOf(variants: readonly Variant[]): Variant {
  return variants.find((variant) => variant.isControl) ?? variants[0];
}

export interface Decision {
  variant: Variant;
  inExperiment: boolean;
  reason: AssignmentReason;
}

/**
 * The variant a lead gets, before any stored assignment or eligibility is consulted:
 * deterministic in the experiment's seed and the lead's id. `{ enter }` is the variant the
 * lead enters with, if the allocation's segments or criteria admit it.
 */
export function decideVariant(experiment: ExperimentToAssign, leadId: string): Decision | { enter: Variant } {
  const control = controlOf(experiment.variants);
  const outside = (reason: AssignmentReason): Decision => ({ variant: control, inExperiment: false, reason });
  const winner = experiment.variants.find((variant) => variant.id === experiment.winnerVariantId);
  if (winner) return { variant: winner, inExperiment: false, reason: 'concluded' };
  if (experiment.status !== 'running') return outside('not_running');
  const slot: LayerSlot | undefined = experiment.layer && { layer: experiment.layer.id, ...experiment.layer };
  if (slot && !inLayer(leadId, slot)) return outside('not_in_layer');
  const index = assignVariant(experiment.seed, leadId, rangesOf(experiment));
  if (index === -1) return outside('not_covered');
  return { enter: experiment.variants[index] };
}
