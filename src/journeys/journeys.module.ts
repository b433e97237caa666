import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { WorkspacesModule } from '../workspaces/workspaces.module';
import { Journey, JourneySchema, JourneyVersion, JourneyVersionSchema } from './journey.schema';
import { JourneysController } from './journeys.controller';
import { JourneysRepository } from './journeys.repository';
import { JourneysService } from './journeys.service';

/** Journey definitions: authoring, versions, lifecycle. Running them is the worker's part. */
@Module({
  imports: [
    MongooseModule.forFeature([
      { name: Journey.name, schema: JourneySchema },
      { name: JourneyVersion.name, schema: JourneyVersionSchema },
    ]),
    WorkspacesModule,
  ],
  controllers: [JourneysController],
  providers: [JourneysRepository, JourneysService],
  exports: [JourneysService],
})
export class JourneysModule {}
