import type {
  AnalysisSummary,
  ExperimentActivities,
  ExperimentPlan,
  ExperimentRef,
  LifecycleReason,
  LifecycleStatus,
} from '../workflows/contracts/experiment.contract';

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
}

export interface ExperimentsDeps {
  experimentLifecycle: ExperimentLifecycleSteps;
}

export function createExperimentsActivities({ experimentLifecycle }: ExperimentsDeps): ExperimentActivities {
  return {
    getExperimentPlan: (ref) => experimentLifecycle.plan(ref),
    moveExperimentStatus: ({ from, to, reason, at, ...ref }) =>
      experimentLifecycle.move(ref, from, to, reason, new Date(at)),
    analyseExperimentResults: ({ at, ...ref }) => experimentLifecycle.analyse(ref, new Date(at)),
  };
}
