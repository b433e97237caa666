import { Provider } from '@nestjs/common';
import { Client, Connection } from '@temporalio/client';
import { AppConfig, ConfigService } from '../config/config.module';

/** Injection token for the Temporal {@link Client} used by the API to start and signal workflows. */
export const TEMPORAL_CLIENT = Symbol('TEMPORAL_CLIENT');

export const temporalClientProvider: Provider = {
  provide: TEMPORAL_CLIENT,
  inject: [ConfigService],
  // A lazy connection lets the API start, and keep accepting events, while Temporal is down.
  useFactory: (config: AppConfig) =>
    new Client({
      connection: Connection.lazy({ address: config.get('TEMPORAL_ADDRESS', { infer: true }) }),
      namespace: config.get('TEMPORAL_NAMESPACE', { infer: true }),
    }),
};
