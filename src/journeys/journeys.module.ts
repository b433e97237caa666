import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { MessagingModule } from '../messaging/messaging.module';
import { WorkspacesModule } from '../workspaces/workspaces.module';
import { JourneyVersionsModule } from './journey-versions.module';
import { Journey, JourneySchema } from './journey.model';
import { JourneysController } from './journeys.controller';
import { JourneysRepository } from './journeys.repository';
import { JourneysService } from './journeys.service';
import { BehaviorTriggersController } from './triggers/behavior-triggers.controller';
import { BehaviorTriggersService } from './triggers/behavior-triggers.service';

/** Journey definitions: authoring, versions, lifecycle. Running them is the worker's part. */
@Module({
  imports: [
    MongooseModule.forFeature([{ name: Journey.name, schema: JourneySchema }]),
    JourneyVersionsModule,
    WorkspacesModule,
    MessagingModule,
  ],
  controllers: [JourneysController, BehaviorTriggersController],
  providers: [JourneysRepository, JourneysService, BehaviorTriggersService],
  exports: [JourneysService],
})
export class JourneysModule {}
