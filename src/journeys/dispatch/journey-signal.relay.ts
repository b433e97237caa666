import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Client, WorkflowNotFoundError } from '@temporalio/client';
import {
  LEAD_WORKFLOW,
  LeadEventSignal,
  leadEventSignal,
  LeadWorkflow,
  leadWorkflowId,
} from '../../../workflows/contracts/lead.contract';
import { LeadId } from '../../../workflows/contracts/search-attributes';
import { AppConfig, ConfigService } from '../../config/config.module';
import { TEMPORAL_CLIENT } from '../../temporal/temporal-client.provider';
import { JourneyOutboxRepository, OutboxRecord } from './journey-outbox.repository';

const BATCH = 500;
/** Leads delivered to at once; one lead's signals always go one after another, in order. */
const CONCURRENCY = 32;
const IDLE_POLL_MS = 1_000;
const CALL_DEADLINE_MS = 5_000;
const MAX_BACKOFF_MS = 60_000;

/**
 * Delivers the outbox to Temporal: each lead's signals in the order their events were
 * accepted, removed only once Temporal has them. While Temporal is unreachable it backs
 * off and keeps everything; a redelivery after a crash is dropped by the lead workflow's
 * messageId dedupe. Woken at once by new entries; polls otherwise.
 */
@Injectable()
export class JourneySignalRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(JourneySignalRelay.name);
  private readonly taskQueue: string;
  private running?: Promise<void>;
  private stopped = false;
  private woken = false;
  private wakeUp?: () => void;
  private unreachableSince?: number;
  private backoffMs = 0;

  constructor(
    @Inject(TEMPORAL_CLIENT) private readonly client: Client,
    private readonly outbox: JourneyOutboxRepository,
    @Inject(ConfigService) config: AppConfig,
  ) {
    this.taskQueue = config.get('TEMPORAL_TASK_QUEUE', { infer: true });
  }

  onApplicationBootstrap(): void {
    this.running = this.loop();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    this.wakeUp?.();
    await this.running;
  }

  /** New entries are waiting: deliver now rather than at the next poll. */
  wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      let fetched = 0;
      try {
        fetched = await this.deliverDue();
      } catch (error) {
        this.logger.warn(`outbox pass failed: ${describe(error)}`);
      }
      if (this.stopped) break;
      if (this.backoffMs === 0 && (this.woken || fetched === BATCH)) {
        this.woken = false;
        continue;
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.backoffMs || IDLE_POLL_MS);
        // A wake-up cuts an idle poll short, but not a back-off from an unreachable Temporal.
        this.wakeUp = () => (this.backoffMs === 0 || this.stopped ? (clearTimeout(timer), resolve()) : undefined);
      });
      this.wakeUp = undefined;
    }
  }

  /** One pass over the oldest entries; returns how many it read. */
  private async deliverDue(): Promise<number> {
    const pending = await this.outbox.oldest(BATCH);
    const byLead = new Map<string, OutboxRecord[]>();
    for (const entry of pending) {
      const entries = byLead.get(entry.leadId);
      if (entries) entries.push(entry);
      else byLead.set(entry.leadId, [entry]);
    }
    const delivered: string[] = [];
    let unreachable = false;
    const queue = [...byLead.values()];
    const worker = async () => {
      for (let entries = queue.shift(); entries && !unreachable; entries = queue.shift()) {
        for (const entry of entries) {
          if (entry.nextAttemptAt.getTime() > Date.now()) break; // keep this lead's order
          const failure = await this.deliver(entry);
          if (failure === undefined) {
            delivered.push(entry.id);
            continue;
          }
          if (failure === 'unreachable') unreachable = true;
          else await this.outbox.postpone(entry.id, new Date(Date.now() + backoff(entry.attempts)), failure);
          break;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, queue.length) }, worker));
    await this.outbox.remove(delivered);
    this.noteReachability(unreachable, pending.length - delivered.length);
    return pending.length;
  }

  /** Undefined when delivered; 'unreachable' when Temporal is down; otherwise why this entry failed. */
  private async deliver({ workspaceId, leadId, mode, signal }: OutboxRecord): Promise<string | undefined> {
    try {
      await this.client.withDeadline(Date.now() + CALL_DEADLINE_MS, () =>
        mode === 'start' ? this.signalWithStart(workspaceId, leadId, signal) : this.signalRunning(leadId, signal),
      );
      return undefined;
    } catch (error) {
      return isUnreachable(error) ? 'unreachable' : describe(error);
    }
  }

  private async signalWithStart(workspaceId: string, leadId: string, signal: LeadEventSignal): Promise<void> {
    await this.client.workflow.signalWithStart<LeadWorkflow, [LeadEventSignal]>(LEAD_WORKFLOW, {
      workflowId: leadWorkflowId(leadId),
      taskQueue: this.taskQueue,
      args: [{ workspaceId, leadId }],
      signal: leadEventSignal,
      signalArgs: [signal],
      typedSearchAttributes: [{ key: LeadId, value: leadId }],
    });
  }

  /** An exit or wait-for event: only a lead already in a journey cares, so none is started. */
  private async signalRunning(leadId: string, signal: LeadEventSignal): Promise<void> {
    try {
      await this.client.workflow.getHandle(leadWorkflowId(leadId)).signal(leadEventSignal, signal);
    } catch (error) {
      if (!(error instanceof WorkflowNotFoundError)) throw error;
    }
  }

  private noteReachability(unreachable: boolean, waiting: number): void {
    if (!unreachable) {
      if (this.unreachableSince !== undefined)
        this.logger.log(`Temporal reachable again; delivering the ${waiting} signals that waited`);
      this.unreachableSince = undefined;
      this.backoffMs = 0;
      return;
    }
    if (this.unreachableSince === undefined) {
      this.unreachableSince = Date.now();
      this.logger.warn(`Temporal unreachable; ${waiting} journey signals wait in the outbox`);
    }
    this.backoffMs = Math.min(MAX_BACKOFF_MS, Math.max(500, this.backoffMs * 2));
  }
}

const backoff = (attempts: number) => Math.min(MAX_BACKOFF_MS, 500 * 2 ** attempts);

/** gRPC UNAVAILABLE (14) or DEADLINE_EXCEEDED (4), directly or as the cause of an SDK error. */
function isUnreachable(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (code === 14 || code === 4) return true;
  }
  return false;
}

const describe = (error: unknown) => (error instanceof Error ? error.message : String(error));
