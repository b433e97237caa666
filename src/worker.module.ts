import { Module } from '@nestjs/common';
import { LoggerModule } from './common/logger.module';
import { ConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { TemporalClientModule } from './temporal/temporal-client.module';
import { TemporalWorkerModule } from './temporal/temporal-worker.module';

/** The Temporal worker process: same config and database as the API, no HTTP. */
@Module({
  imports: [ConfigModule, LoggerModule, DatabaseModule, TemporalClientModule, TemporalWorkerModule],
})
export class WorkerModule {}
