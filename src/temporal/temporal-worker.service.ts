import { BeforeApplicationShutdown, Inject, Injectable, Logger } from '@nestjs/common';
import { NativeConnection, Worker } from '@temporalio/worker';
import { hostname } from 'node:os';
import { createActivities } from '../../activities';
import { AppConfig, ConfigService } from '../config/config.module';
import { AssignmentsService } from '../agents/assignments.service';
import { TasksService } from '../agents/tasks.service';
import { JourneyExecutionsService } from '../journeys/executions/journey-executions.service';
import { LeadsService } from '../leads/leads.service';
import { MessagingService } from '../messaging/messaging.service';
import { SelfCheckService } from '../self-check/self-check.service';

/**
 * Runs the Temporal worker inside the Nest application context, so activities get Nest's
 * services. The only place in src/ that imports @temporalio/worker and the
 * implementations under activities/ and workflows/.
 */
@Injectable()
export class TemporalWorkerService implements BeforeApplicationShutdown {
  private readonly logger = new Logger(TemporalWorkerService.name);
  private worker?: Worker;
  private running?: Promise<void>;

  constructor(
    @Inject(ConfigService) private readonly config: AppConfig,
    private readonly selfCheck: SelfCheckService,
    private readonly assignments: AssignmentsService,
    private readonly tasks: TasksService,
    private readonly leads: LeadsService,
    private readonly journeyLog: JourneyExecutionsService,
    private readonly messaging: MessagingService,
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
        messaging: this.messaging,
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
