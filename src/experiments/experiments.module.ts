import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { EventsModule } from '../events/events.module';
import { LeadsModule } from '../leads/leads.module';
import { SegmentsModule } from '../segments/segments.module';
import { WorkspacesModule } from '../workspaces/workspaces.module';
import { AssignmentsRepository } from './assignments.repository';
import { ExperimentAssignments } from './assignment/experiment-assignments.service';
import { Experiment, ExperimentAssignment, ExperimentAssignmentSchema, ExperimentSchema } from './experiment.model';
import { ExperimentsCache } from './experiments.cache';
import { ExperimentsController } from './experiments.controller';
import { ExperimentsRepository } from './experiments.repository';
import { ExperimentsService } from './experiments.service';
import { ExperimentLifecycle } from './lifecycle/experiment-lifecycle';
import { ExperimentWorkflows } from './lifecycle/experiment-workflows';
import { ExperimentResults } from './results/experiment-results';

/**
 * Experiments: definitions and status over REST; assignment (assignment/: GrowthBook-compatible
 * hashing, sticky, one exposure event); results (results/, statistics/) from events.
 */
@Module({
  imports: [
    MongooseModule.forFeature([
      { name: Experiment.name, schema: ExperimentSchema },
      { name: ExperimentAssignment.name, schema: ExperimentAssignmentSchema },
    ]),
    LeadsModule,
    EventsModule,
    SegmentsModule,
    WorkspacesModule,
  ],
  controllers: [ExperimentsController],
  providers: [
    ExperimentsRepository,
    ExperimentsCache,
    AssignmentsRepository,
    ExperimentsService,
    ExperimentAssignments,
    ExperimentResults,
    ExperimentLifecycle,
    ExperimentWorkflows,
  ],
  exports: [ExperimentsService, ExperimentAssignments, ExperimentResults, ExperimentLifecycle, ExperimentWorkflows],
})
export class ExperimentsModule {}
