import { Module } from '@nestjs/common';
import { AgentsModule } from './agents/agents.module';
import { LoggerModule } from './common/logger.module';
import { ConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { EventsModule } from './events/events.module';
import { ExperimentsModule } from './experiments/experiments.module';
import { ExperimentWorkflowsSyncModule } from './experiments/lifecycle/experiment-workflows.sync';
import { HealthModule } from './health/health.module';
import { JourneyDispatchModule } from './journeys/dispatch/journey-dispatch.module';
import { JourneyExecutionsModule } from './journeys/executions/journey-executions.module';
import { JourneysModule } from './journeys/journeys.module';
import { JourneysSeedModule } from './journeys/journeys.seed';
import { LeadsModule } from './leads/leads.module';
import { MessagingModule } from './messaging/messaging.module';
import { SegmentSchedulesSyncModule } from './segments/recalculation/segment-schedules.sync';
import { SegmentsModule } from './segments/segments.module';
import { SelfCheckModule } from './self-check/self-check.module';
import { TemporalClientModule } from './temporal/temporal-client.module';
import { WorkspacesModule } from './workspaces/workspaces.module';

/** The HTTP API. */
@Module({
  imports: [
    ConfigModule,
    LoggerModule,
    DatabaseModule,
    TemporalClientModule,
    HealthModule,
    SelfCheckModule,
    WorkspacesModule,
    LeadsModule,
    EventsModule,
    JourneysModule,
    JourneysSeedModule,
    JourneyExecutionsModule,
    AgentsModule,
    JourneyDispatchModule,
    MessagingModule,
    SegmentsModule,
    SegmentSchedulesSyncModule,
    ExperimentsModule,
    ExperimentWorkflowsSyncModule,
  ],
})
export class AppModule {}
