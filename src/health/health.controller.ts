import { Controller, Get } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, MongooseHealthIndicator } from '@nestjs/terminus';
import { TemporalHealthIndicator } from '../temporal/temporal.health';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly mongo: MongooseHealthIndicator,
    private readonly temporal: TemporalHealthIndicator,
  ) {}

  /** The process is up and serving HTTP; says nothing about its dependencies. */
  @Get('live')
  @HealthCheck()
  live() {
    return this.health.check([]);
  }

  /** MongoDB and Temporal both answer: 200, else 503 naming the one that does not. */
  @Get('ready')
  @HealthCheck()
  ready() {
    return this.health.check([
      () => this.mongo.pingCheck('mongodb', { timeout: 2_000 }),
      () => this.temporal.check('temporal'),
    ]);
  }
}
