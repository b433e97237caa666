import { HttpStatus, Inject, Injectable, Logger, Module, OnApplicationBootstrap } from '@nestjs/common';
import { AppError } from '../common/app-error';
import { AppConfig, ConfigService } from '../config/config.module';
import { formAbandonmentRecovery } from './examples/form-abandonment-recovery';
import { JourneysModule } from './journeys.module';
import { JourneysService } from './journeys.service';

export const EXAMPLE_JOURNEY_ID = 'form-abandonment-recovery';

/** Publishes the spec's Form Abandonment Recovery in the development workspace, once. */
@Injectable()
export class JourneysSeed implements OnApplicationBootstrap {
  private readonly logger = new Logger(JourneysSeed.name);

  constructor(
    private readonly journeys: JourneysService,
    @Inject(ConfigService) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.get('DEV_WORKSPACE_SEED', { infer: true })) return;
    const workspaceId = this.config.get('DEV_WORKSPACE_ID', { infer: true });
    const existing = (await this.journeys.list(workspaceId)).find((j) => j.id === EXAMPLE_JOURNEY_ID);
    if (existing?.publishedVersion) return;
    try {
      if (!existing) await this.journeys.create(workspaceId, formAbandonmentRecovery, EXAMPLE_JOURNEY_ID);
      await this.journeys.publish(workspaceId, EXAMPLE_JOURNEY_ID);
      this.logger.log(`published the example journey "${EXAMPLE_JOURNEY_ID}" in workspace ${workspaceId}`);
    } catch (error) {
      // Another instance starting at the same moment seeded it first.
      if (!(error instanceof AppError && error.status === HttpStatus.CONFLICT)) throw error;
    }
  }
}

/** The seed on its own, for the API only: the worker loads journeys (to dispatch segment events) but never seeds. */
@Module({ imports: [JourneysModule], providers: [JourneysSeed] })
export class JourneysSeedModule {}
