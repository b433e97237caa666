import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { ThrottlerModule } from '@nestjs/throttler';
import { AppConfig, ConfigService } from '../config/config.module';
import { LeadsModule } from '../leads/leads.module';
import { WorkspacesModule } from '../workspaces/workspaces.module';
import { BehaviorController } from './behavior.controller';
import { TrackedEvent, TrackedEventSchema } from './event.model';
import { FailedEvent, FailedEventSchema } from './failed-event.model';
import { EventsReadController } from './events-read.controller';
import { EventsRepository } from './events.repository';
import { IngestionDispatcher } from './ingestion-dispatcher';
import { IngestionService } from './ingestion.service';
import { TrackingController } from './tracking.controller';

/** Event ingestion (Segment-compatible and the spec's route) and reading events back. */
@Module({
  imports: [
    MongooseModule.forFeature([
      { name: TrackedEvent.name, schema: TrackedEventSchema },
      { name: FailedEvent.name, schema: FailedEventSchema },
    ]),
    ThrottlerModule.forRootAsync({
      inject: [ConfigService],
      useFactory: (config: AppConfig) => [
        { ttl: 1_000, limit: config.get('INGEST_RATE_LIMIT_PER_SECOND', { infer: true }) },
      ],
    }),
    WorkspacesModule,
    LeadsModule,
  ],
  controllers: [TrackingController, BehaviorController, EventsReadController],
  providers: [EventsRepository, IngestionService, IngestionDispatcher],
  exports: [IngestionDispatcher, IngestionService, EventsRepository],
})
export class EventsModule {}
