import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import { Client, TimeoutFailure, WorkflowFailedError } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import {
  SELF_CHECK_WORKFLOW,
  SelfCheckResult,
  SelfCheckWorkflow,
  selfCheckWorkflowId,
} from '../../workflows/contracts/self-check.contract';
import { AppError } from '../common/app-error';
import { AppConfig, ConfigService } from '../config/config.module';
import { TEMPORAL_CLIENT } from '../temporal/temporal-client.provider';
import { SelfCheckRecord, SelfCheckRepository } from './self-check.repository';
import { SelfCheckErrorCode } from './self-check-errors';

/** Long enough for a cold worker to bundle workflows and answer; short enough for a probe. */
const SELF_CHECK_TIMEOUT = '30 seconds';
const START_DEADLINE_MS = 5_000;

@Injectable()
export class SelfCheckService {
  constructor(
    @Inject(TEMPORAL_CLIENT) private readonly temporal: Client,
    @Inject(ConfigService) private readonly config: AppConfig,
    private readonly repository: SelfCheckRepository,
  ) {}

  /** Starts the self-check workflow and waits for the worker to complete it. */
  async run(): Promise<SelfCheckResult> {
    const taskQueue = this.config.get('TEMPORAL_TASK_QUEUE', { infer: true });
    const message = `self-check at ${new Date().toISOString()}`;
    let handle;
    try {
      // A deadline, or the client's retry policy keeps an unreachable server's caller waiting.
      handle = await this.temporal.connection.withDeadline(Date.now() + START_DEADLINE_MS, () =>
        this.temporal.workflow.start<SelfCheckWorkflow>(SELF_CHECK_WORKFLOW, {
          taskQueue,
          workflowId: selfCheckWorkflowId(randomUUID()),
          args: [{ message }],
          workflowExecutionTimeout: SELF_CHECK_TIMEOUT,
        }),
      );
    } catch (error) {
      throw new AppError(
        SelfCheckErrorCode.TemporalUnavailable,
        HttpStatus.SERVICE_UNAVAILABLE,
        `Temporal is unreachable: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    try {
      return await handle.result();
    } catch (error) {
      if (!(error instanceof WorkflowFailedError)) throw error;
      const details = { workflowId: handle.workflowId, cause: error.cause?.message };
      if (error.cause instanceof TimeoutFailure) {
        throw new AppError(
          SelfCheckErrorCode.TimedOut,
          HttpStatus.GATEWAY_TIMEOUT,
          `Self-check ${handle.workflowId} did not complete within ${SELF_CHECK_TIMEOUT}: is a worker polling task queue "${taskQueue}"?`,
          details,
        );
      }
      throw new AppError(
        SelfCheckErrorCode.Failed,
        HttpStatus.SERVICE_UNAVAILABLE,
        `Self-check ${handle.workflowId} failed: ${details.cause}`,
        details,
      );
    }
  }

  /** Called by the worker's activity: stores the check. */
  record(check: { checkId: string; message: string; workerIdentity: string }): Promise<SelfCheckRecord> {
    return this.repository.upsert(check, new Date());
  }
}
