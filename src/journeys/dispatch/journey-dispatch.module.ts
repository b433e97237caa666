import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { EventsModule } from '../../events/events.module';
import { LeadsModule } from '../../leads/leads.module';
import { SegmentsModule } from '../../segments/segments.module';
import { JourneysModule } from '../journeys.module';
import { JourneyOutboxRepository } from './journey-outbox.repository';
import { OutboxEntry, OutboxEntrySchema } from './journey-outbox.model';
import { JourneySignalRelay } from './journey-signal.relay';
import { JourneyTriggerListener } from './journey-trigger.listener';

/** Events to journeys: the trigger matcher, the durable outbox, and its relay to Temporal. */
@Module({
  imports: [
    MongooseModule.forFeature([{ name: OutboxEntry.name, schema: OutboxEntrySchema }]),
    EventsModule,
    LeadsModule,
    JourneysModule,
    SegmentsModule,
  ],
  providers: [JourneyOutboxRepository, JourneySignalRelay, JourneyTriggerListener],
  exports: [JourneyOutboxRepository],
})
export class JourneyDispatchModule {}
