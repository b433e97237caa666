import { Module } from '@nestjs/common';
import { LoggerModule } from './common/logger.module';
import { ConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { HealthModule } from './health/health.module';
import { SelfCheckModule } from './self-check/self-check.module';
import { TemporalClientModule } from './temporal/temporal-client.module';

/** The HTTP API. */
@Module({
  imports: [ConfigModule, LoggerModule, DatabaseModule, TemporalClientModule, HealthModule, SelfCheckModule],
})
export class AppModule {}
