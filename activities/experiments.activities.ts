import type {
  AnalysisSummary,
  ExperimentActivities,
  ExperimentPlan,
  ExperimentRef,
  LifecycleReason,
  LifecycleStatus,
} from '../workflows/contracts/experiment.contract';
import type { JourneyActivities } from '../workflows/contracts/journey-activities';

/** The experiment lifecycle's steps, as the worker hands in ExperimentLifecycle. */
export interface ExperimentLifecycleSteps {
  plan(ref: ExperimentRef): Promise<ExperimentPlan>;
  move(
    ref: ExperimentRef,
    from: readonly LifecycleStatus[],
    to: LifecycleStatus,
    reason: LifecycleReason,
    at: Date,
  ): Promise<LifecycleStatus | undefined>;
  analyse(ref: ExperimentRef, at: Date): Promise<AnalysisSummary>;
  conclude(ref: ExperimentRef, winnerVariantId: string, at: Date): Promise<LifecycleStatus | undefined>;
}

/** A lead's variant, as ExperimentAssignments answers it; undefined when the experiment or lead is gone. */
export interface JourneyVariants {
  variantForJourney(
    workspaceId: string,
    experimentId: string,
    leadId: string,
  ): Promise<{ variantId: string; inExperiment: boolean; reason: string } | undefined>;
}

export interface ExperimentsDeps {
  experimentLifecycle: ExperimentLifecycleSteps;
  experimentAssignments: JourneyVariants;
}

export function createExperimentsActivities({
  experimentLifecycle,
  experimentAssignments,
}: ExperimentsDeps): ExperimentActivities & Pick<JourneyActivities, 'assignJourneyVariant'> {
  return {
    /** Sticky and recorded once, so a retried step takes the same variant and exposes once. */
    assignJourneyVariant: async ({ workspaceId, leadId, experimentId }) => {
      const answer = await experimentAssignments.variantForJourney(workspaceId, experimentId, leadId);
      return answer
        ? { variantId: answer.variantId, inExperiment: answer.inExperiment, reason: answer.reason }
        : { inExperiment: false, reason: 'experiment_gone' };
    },
    getExperimentPlan: (ref) => experimentLifecycle.plan(ref),
    moveExperimentStatus: ({ from, to, reason, at, ...ref }) =>
      experimentLifecycle.move(ref, from, to, reason, new Date(at)),
    analyseExperimentResults: ({ at, ...ref }) => experimentLifecycle.analyse(ref, new Date(at)),
    concludeExperiment: ({ winnerVariantId, at, ...ref }) =>
      experimentLifecycle.conclude(ref, winnerVariantId, new Date(at)),
  };
}
