import { Inject, Injectable, Logger } from '@nestjs/common';
import { Client, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import {
  EXPERIMENT_WORKFLOW,
  experimentChangedSignal,
  ExperimentRef,
  experimentWorkflowId,
} from '../../../workflows/contracts/experiment.contract';
import { AppConfig, ConfigService } from '../../config/config.module';
import { TEMPORAL_CLIENT } from '../../temporal/temporal-client.provider';
import { TemporalBackground } from '../../temporal/temporal-background';
import { ExperimentsRepository } from '../experiments.repository';

/**
 * The API's side of the lifecycle: an experiment scheduled or started gets its workflow, and
 * any later change wakes it. Best effort: the experiment document is the truth the workflow
 * reads, so a change made while Temporal is down takes effect at the workflow's next turn,
 * and a workflow that could not be started is started at the API's next start (syncAll).
 */
@Injectable()
export class ExperimentWorkflows {
  private readonly logger = new Logger(ExperimentWorkflows.name);
  private readonly taskQueue: string;

  constructor(
    @Inject(TEMPORAL_CLIENT) private readonly client: Client,
    @Inject(ConfigService) config: AppConfig,
    private readonly experiments: ExperimentsRepository,
    private readonly background: TemporalBackground,
  ) {
    this.taskQueue = config.get('TEMPORAL_TASK_QUEUE', { infer: true });
  }

  /**
   * Wakes the experiment's workflow; `live` (scheduled, running or paused) also starts it
   * if it is not running. A completed experiment's workflow ends at its next turn.
   */
  async changed(ref: ExperimentRef, live: boolean): Promise<void> {
    // Past a moment the call goes on in the background, and logs if it fails in the end.
    await this.background.run(
      () => this.reach(ref, live),
      () => this.logger.warn(ref, 'Temporal slow to answer; the experiment workflow is reached in the background'),
    );
  }

  private async reach(ref: ExperimentRef, live: boolean): Promise<void> {
    const workflowId = experimentWorkflowId(ref);
    try {
      if (live)
        await this.client.workflow.signalWithStart(EXPERIMENT_WORKFLOW, {
          workflowId,
          taskQueue: this.taskQueue,
          args: [ref],
          signal: experimentChangedSignal,
          signalArgs: [],
        });
      else await this.client.workflow.getHandle(workflowId).signal(experimentChangedSignal);
    } catch (error) {
      if (error instanceof WorkflowExecutionAlreadyStartedError || error instanceof WorkflowNotFoundError) return;
      this.logger.warn(
        { err: error, ...ref },
        'experiment workflow not reached; it reads the change at its next turn, or starts at the next API start',
      );
    }
  }

  /** Every live experiment's workflow started (one made while Temporal was down). */
  async syncAll(): Promise<void> {
    for (const { workspaceId, id } of await this.experiments.listLive())
      await this.changed({ workspaceId, experimentId: id }, true);
  }
}
