import { Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { Client } from '@temporalio/client';
import { TemporalBackground } from './temporal-background';
import { TEMPORAL_CLIENT, temporalClientProvider } from './temporal-client.provider';

/** The API side of Temporal: one client for the whole app, closed on shutdown once its background calls end. */
@Global()
@Module({
  providers: [temporalClientProvider, TemporalBackground],
  exports: [TEMPORAL_CLIENT, TemporalBackground],
})
export class TemporalClientModule implements OnApplicationShutdown {
  constructor(
    @Inject(TEMPORAL_CLIENT) private readonly client: Client,
    private readonly background: TemporalBackground,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await this.background.settled();
    await this.client.connection.close();
  }
}
