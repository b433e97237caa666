import { Injectable } from '@nestjs/common';
import type {
  AnalysisSummary,
  ExperimentPlan,
  ExperimentRef,
  LifecycleReason,
  LifecycleStatus,
} from '../../../workflows/contracts/experiment.contract';
import { DEFAULT_SETTINGS } from '../dto/experiment.request';
import { ExperimentsRepository } from '../experiments.repository';
import { ExperimentResults } from '../results/experiment-results';

/** What the `experimentWorkflow`'s activities do, on the worker. */
@Injectable()
export class ExperimentLifecycle {
  constructor(
    private readonly experiments: ExperimentsRepository,
    private readonly results: ExperimentResults,
  ) {}

  async plan({ workspaceId, experimentId }: ExperimentRef): Promise<ExperimentPlan> {
    const experiment = await this.experiments.find(workspaceId, experimentId);
    if (!experiment) return { analyseEveryMinutes: DEFAULT_SETTINGS.analyseEveryMinutes };
    return {
      status: experiment.status,
      startAt: experiment.startAt?.toISOString(),
      endAt: experiment.endAt?.toISOString(),
      analyseEveryMinutes: experiment.settings.analyseEveryMinutes,
    };
  }

  /** A conditional move: a status the API set meanwhile (paused, completed) is never undone. */
  move(
    { workspaceId, experimentId }: ExperimentRef,
    from: readonly LifecycleStatus[],
    to: LifecycleStatus,
    reason: LifecycleReason,
    at: Date,
  ): Promise<LifecycleStatus | undefined> {
    const dates = to === 'running' ? { startAt: at } : to === 'completed' ? { endAt: at } : {};
    return this.experiments.moveStatus(workspaceId, experimentId, from, {
      status: to,
      statusReason: reason,
      ...dates,
      updatedAt: at,
    });
  }

  /** Completes a live experiment with this winner rolled out; a variant it does not have changes nothing. */
  async conclude({ workspaceId, experimentId }: ExperimentRef, winnerVariantId: string, at: Date) {
    const experiment = await this.experiments.find(workspaceId, experimentId);
    if (!experiment?.variants.some((variant) => variant.id === winnerVariantId)) return experiment?.status;
    return this.experiments.moveStatus(workspaceId, experimentId, ['scheduled', 'running', 'paused'], {
      status: 'completed',
      statusReason: 'concluded',
      winnerVariantId,
      endAt: at,
      updatedAt: at,
    });
  }

  /** The results now, summarised for the workflow and recorded on the experiment. */
  async analyse({ workspaceId, experimentId }: ExperimentRef, at: Date): Promise<AnalysisSummary> {
    const experiment = await this.experiments.find(workspaceId, experimentId);
    if (!experiment)
      return {
        at: at.toISOString(),
        exposedLeads: 0,
        srmMismatch: false,
        enoughData: false,
        canStopEarly: false,
        verdict: 'deleted',
      };
    const results = await this.results.results(workspaceId, experiment, at);
    const summary: AnalysisSummary = {
      at: at.toISOString(),
      exposedLeads: results.exposedLeads,
      srmMismatch: results.srm.mismatch,
      enoughData: results.enoughData,
      canStopEarly: results.canStopEarly,
      ...(results.leadingVariantId && { leadingVariantId: results.leadingVariantId }),
      verdict: results.verdict,
    };
    await this.experiments.record(workspaceId, experimentId, { lastAnalysis: summary });
    return summary;
  }
}
