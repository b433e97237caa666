import { Module } from '@nestjs/common';
import { AgentsModule } from '../agents/agents.module';
import { LoggerModule } from '../common/logger.module';
import { ConfigModule } from '../config/config.module';
import { DatabaseModule } from '../database/database.module';
import { ExperimentsModule } from '../experiments/experiments.module';
import { JourneyLogModule } from '../journeys/executions/journey-log.module';
import { JourneyVersionsModule } from '../journeys/journey-versions.module';
import { LeadsModule } from '../leads/leads.module';
import { MessagingModule } from '../messaging/messaging.module';
import { SegmentsModule } from '../segments/segments.module';
import { JourneyDispatchModule } from '../journeys/dispatch/journey-dispatch.module';
import { SelfCheckModule } from '../self-check/self-check.module';
import { TemporalClientModule } from '../temporal/temporal-client.module';
import { WorkerService } from './worker.service';

/**
 * The Temporal worker process: the API's config and database, no HTTP, and the feature
 * modules whose services activities call. Journeys come only through their dispatch (the
 * segment events a recalculation records are matched against journey triggers, as
 * ingestion's are); the worker never authors or seeds them.
 */
@Module({
  imports: [
    ConfigModule,
    LoggerModule,
    DatabaseModule,
    TemporalClientModule,
    SelfCheckModule,
    MessagingModule,
    AgentsModule,
    LeadsModule,
    JourneyLogModule,
    JourneyVersionsModule,
    SegmentsModule,
    ExperimentsModule,
    // The segment events recalculation records start journeys, as the API's do.
    JourneyDispatchModule,
  ],
  providers: [WorkerService],
})
export class WorkerModule {}
