import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { LeadsModule } from '../leads/leads.module';
import { WorkspacesModule } from '../workspaces/workspaces.module';
import { Agent, AgentSchema } from './agent.model';
import { Assignment, AssignmentSchema } from './assignment.model';
import { Task, TaskSchema } from './task.model';
import { AgentsController } from './agents.controller';
import { AgentsRepository } from './agents.repository';
import { AgentsService } from './agents.service';
import { AssignmentsService } from './assignments.service';
import { TasksRepository } from './tasks.repository';
import { TasksService } from './tasks.service';

/** Sales agents, the leads journeys assign them and the tasks journeys create for them. */
@Module({
  imports: [
    MongooseModule.forFeature([
      { name: Agent.name, schema: AgentSchema },
      { name: Assignment.name, schema: AssignmentSchema },
      { name: Task.name, schema: TaskSchema },
    ]),
    LeadsModule,
    WorkspacesModule,
  ],
  controllers: [AgentsController],
  providers: [AgentsRepository, AgentsService, AssignmentsService, TasksRepository, TasksService],
  exports: [AgentsService, AssignmentsService, TasksService],
})
export class AgentsModule {}
