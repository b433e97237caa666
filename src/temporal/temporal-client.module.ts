import { Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { Client } from '@temporalio/client';
import { TEMPORAL_CLIENT, temporalClientProvider } from './temporal-client.provider';

/** The API side of Temporal: one client for the whole app, closed on shutdown. */
@Global()
@Module({
  providers: [temporalClientProvider],
  exports: [TEMPORAL_CLIENT],
})
export class TemporalClientModule implements OnApplicationShutdown {
  constructor(@Inject(TEMPORAL_CLIENT) private readonly client: Client) {}

  async onApplicationShutdown(): Promise<void> {
    await this.client.connection.close();
  }
}
