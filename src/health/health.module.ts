import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { TemporalHealthIndicator } from '../temporal/temporal.health';
import { HealthController } from './health.controller';

@Module({
  imports: [TerminusModule.forRoot({ logger: false })],
  controllers: [HealthController],
  providers: [TemporalHealthIndicator],
})
export class HealthModule {}
