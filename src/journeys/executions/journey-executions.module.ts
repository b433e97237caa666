import { Module } from '@nestjs/common';
import { LeadsModule } from '../../leads/leads.module';
import { WorkspacesModule } from '../../workspaces/workspaces.module';
import { JourneysModule } from '../journeys.module';
import { JourneyExecutionsController } from './journey-executions.controller';
import { JourneyExecutionsService } from './journey-executions.service';
import { JourneyLogModule } from './journey-log.module';
import { TriggerExecutionsController } from './trigger-executions.controller';

/** The journey execution log over the API; the worker writes it through JourneyLogModule. */
@Module({
  imports: [JourneyLogModule, JourneysModule, LeadsModule, WorkspacesModule],
  controllers: [JourneyExecutionsController, TriggerExecutionsController],
  providers: [JourneyExecutionsService],
  exports: [JourneyExecutionsService],
})
export class JourneyExecutionsModule {}
