import { BeforeApplicationShutdown, Inject, Injectable, Logger } from '@nestjs/common';
import { NativeConnection, Worker } from '@temporalio/worker';
import { hostname } from 'node:os';
import { createActivities } from '../../activities';
import { AppConfig, ConfigService } from '../config/config.module';
import { AssignmentsService } from '../agents/assignments.service';
import { TasksService } from '../agents/tasks.service';
import { ExperimentAssignments } from '../experiments/assignment/experiment-assignments.service';
import { ExperimentLifecycle } from '../experiments/lifecycle/experiment-lifecycle';
import { JourneyLogWriter } from '../journeys/executions/journey-log.writer';
import { JourneyVersionsReader } from '../journeys/journey-versions.reader';
import { LeadsService } from '../leads/leads.service';
import { MessagingService } from '../messaging/delivery/messaging.service';
import { SegmentRecalculator } from '../segments/recalculation/segment-recalculator';
import { SelfCheckService } from '../self-check/self-check.service';

/**
 * Runs the Temporal worker inside the Nest application context, so activities get Nest's
 * services. src/worker/ is the only place in src/ that imports the implementations under
 * activities/ and workflows/, and, beside src/temporal's runtime, @temporalio/worker.
 */
@Injectable()
export class WorkerService implements BeforeApplicationShutdown {
  private readonly logger = new Logger(WorkerService.name);
  private worker?: Worker;
  private running?: Promise<void>;

  constructor(
    @Inject(ConfigService) private readonly config: AppConfig,
    private readonly selfCheck: SelfCheckService,
    private readonly assignments: AssignmentsService,
    private readonly tasks: TasksService,
    private readonly leads: LeadsService,
    private readonly journeyLog: JourneyLogWriter,
    private readonly journeyVersions: JourneyVersionsReader,
    private readonly messaging: MessagingService,
    private readonly segmentRecalculator: SegmentRecalculator,
    private readonly experimentLifecycle: ExperimentLifecycle,
    private readonly experimentAssignments: ExperimentAssignments,
  ) {}

  /** Connects, registers workflows and activities, and polls until shutdown. */
  async run(): Promise<void> {
    const connection = await NativeConnection.connect({
      address: this.config.get('TEMPORAL_ADDRESS', { infer: true }),
    });
    const identity = `nudge-worker-${process.pid}@${hostname()}`;
    this.worker = await Worker.create({
      connection,
      namespace: this.config.get('TEMPORAL_NAMESPACE', { infer: true }),
      taskQueue: this.config.get('TEMPORAL_TASK_QUEUE', { infer: true }),
      identity,
      workflowsPath: require.resolve('../../workflows'),
      activities: createActivities({
        selfCheck: this.selfCheck,
        workerIdentity: identity,
        assignments: this.assignments,
        tasks: this.tasks,
        leads: this.leads,
        journeyLog: this.journeyLog,
        journeyVersions: this.journeyVersions,
        messaging: this.messaging,
        segmentRecalculator: this.segmentRecalculator,
        experimentLifecycle: this.experimentLifecycle,
        experimentAssignments: this.experimentAssignments,
      }),
    });
    this.logger.log(`polling task queue ${this.worker.options.taskQueue} as ${identity}`);
    this.running = this.worker.run().finally(() => connection.close());
    return this.running;
  }

  // Before the database and SMTP connections close: in-flight activities finish first.
  async beforeApplicationShutdown(): Promise<void> {
    if (this.worker?.getState() === 'RUNNING') this.worker.shutdown();
    await this.running;
  }
}
