import { Module } from '@nestjs/common';
import { AgentsModule } from '../agents/agents.module';
import { JourneyExecutionsModule } from '../journeys/executions/journey-executions.module';
import { LeadsModule } from '../leads/leads.module';
import { MessagingModule } from '../messaging/messaging.module';
import { SelfCheckModule } from '../self-check/self-check.module';
import { TemporalWorkerService } from './temporal-worker.service';

/** Everything activities need, gathered for the worker process. */
@Module({
  imports: [SelfCheckModule, MessagingModule, AgentsModule, LeadsModule, JourneyExecutionsModule],
  providers: [TemporalWorkerService],
  exports: [TemporalWorkerService],
})
export class TemporalWorkerModule {}
