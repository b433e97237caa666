import { Injectable } from '@nestjs/common';
import type { RunEnded, RunStarted, StepRecord } from '../../../workflows/contracts/journey-activities';
import { JourneyExecutionsRepository } from './journey-executions.repository';

/**
 * The write side of the journey execution log, used by the worker's activities. Every write
 * is idempotent: a replayed or retried record is a duplicate and changes nothing. Each record
 * carries its run's RunRef, so none is looked up. The API reads the log through
 * JourneyExecutionsService.
 */
@Injectable()
export class JourneyLogWriter {
  constructor(private readonly repository: JourneyExecutionsRepository) {}

  async recordRunStarted(run: RunStarted): Promise<void> {
    const { runId, workspaceId, journeyId, leadId } = run;
    await this.repository.insertRun({
      runId,
      workspaceId,
      journeyId,
      version: run.version,
      leadId,
      triggerMessageId: run.triggerMessageId,
      triggerType: run.triggerType,
      status: 'running',
      converted: false,
      enteredAt: new Date(run.at),
    });
  }

  async recordStep(step: StepRecord): Promise<void> {
    const { workspaceId, journeyId, leadId } = step;
    await this.repository.insertStep(workspaceId, {
      journeyId,
      runId: step.runId,
      leadId,
      stepId: step.stepId,
      type: step.type,
      at: new Date(step.at),
      recordedAt: new Date(),
      result: step.result,
      ...(step.detail && { detail: step.detail }),
    });
  }

  /** A `$set`, so recording the end again changes nothing. */
  async recordRunEnded(end: RunEnded): Promise<void> {
    await this.repository.endRun(end.workspaceId, end.runId, {
      status: end.outcome,
      converted: end.converted,
      ...(end.exitReason && { exitReason: end.exitReason }),
      ...(end.experimentVariants && {
        experimentVariants: Object.entries(end.experimentVariants).map(
          ([experiment, variant]) => `${experiment}:${variant}`,
        ),
      }),
      endedAt: new Date(end.at),
    });
  }
}
