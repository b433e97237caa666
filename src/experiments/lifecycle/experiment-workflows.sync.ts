import { Injectable, Logger, Module, OnApplicationBootstrap } from '@nestjs/common';
import { ExperimentsModule } from '../experiments.module';
import { ExperimentWorkflows } from './experiment-workflows';

/**
 * Starts the workflow of every live experiment at API start (one created while Temporal was
 * down). Its own module, which only the API loads: one process doing this is enough.
 */
@Injectable()
export class ExperimentWorkflowsSync implements OnApplicationBootstrap {
  private readonly logger = new Logger(ExperimentWorkflowsSync.name);

  constructor(private readonly workflows: ExperimentWorkflows) {}

  onApplicationBootstrap(): void {
    // In the background: the API answers while Temporal is still starting.
    void this.workflows
      .syncAll()
      .catch((error) => this.logger.warn({ err: error }, 'experiment workflows not synced at start'));
  }
}

@Module({ imports: [ExperimentsModule], providers: [ExperimentWorkflowsSync] })
export class ExperimentWorkflowsSyncModule {}
