import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { Client } from '@temporalio/client';
import { TEMPORAL_CLIENT } from './temporal-client.provider';

/** Ready when the Temporal frontend describes our namespace within the timeout. */
@Injectable()
export class TemporalHealthIndicator {
  constructor(
    @Inject(TEMPORAL_CLIENT) private readonly client: Client,
    private readonly health: HealthIndicatorService,
  ) {}

  async check(key: string, timeoutMs = 2_000) {
    const indicator = this.health.check(key);
    const { connection, options } = this.client;
    try {
      // Not connection.ensureConnected(): it memoizes its first failure, so a Temporal that
      // was down when the API started would never be reported ready again.
      await connection.withDeadline(Date.now() + timeoutMs, () =>
        connection.workflowService.describeNamespace({ namespace: options.namespace }),
      );
      return indicator.up({ namespace: options.namespace });
    } catch (error) {
      return indicator.down({ message: error instanceof Error ? error.message : String(error) });
    }
  }
}
