import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { LeadsModule } from '../../leads/leads.module';
import { WorkspacesModule } from '../../workspaces/workspaces.module';
import { JourneysModule } from '../journeys.module';
import { JourneyRun, JourneyRunSchema, JourneyStepLog, JourneyStepLogSchema } from './journey-execution.schema';
import { JourneyExecutionsController } from './journey-executions.controller';
import { JourneyExecutionsRepository } from './journey-executions.repository';
import { JourneyExecutionsService } from './journey-executions.service';
import { TriggerExecutionsController } from './trigger-executions.controller';

/** The journey execution log: written by the worker's activities, read over the API. */
@Module({
  imports: [
    MongooseModule.forFeature([
      { name: JourneyRun.name, schema: JourneyRunSchema },
      { name: JourneyStepLog.name, schema: JourneyStepLogSchema },
    ]),
    JourneysModule,
    LeadsModule,
    WorkspacesModule,
  ],
  controllers: [JourneyExecutionsController, TriggerExecutionsController],
  providers: [JourneyExecutionsRepository, JourneyExecutionsService],
  exports: [JourneyExecutionsService],
})
export class JourneyExecutionsModule {}
