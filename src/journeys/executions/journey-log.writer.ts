import { Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import type { RunEnded, RunStarted, StepRecord } from '../../../workflows/contracts/journey-activities';
import { JourneyExecutionsRepository, RunOwner } from './journey-executions.repository';

/**
 * The write side of the journey execution log, used by the worker's activities. Every write
 * is idempotent: a replayed or retried record is a duplicate and changes nothing. The API
 * reads the log through JourneyExecutionsService.
 */
@Injectable()
export class JourneyLogWriter {
  /** A run's owner never changes, so steps after the first skip the lookup. */
  private readonly owners = new LRUCache<string, RunOwner>({ max: 10_000 });

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
    this.owners.set(runId, { workspaceId, journeyId, leadId });
  }

  async recordStep(step: StepRecord): Promise<void> {
    const { workspaceId, journeyId, leadId } = await this.owner(step.runId);
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
    const { workspaceId } = await this.owner(end.runId);
    await this.repository.endRun(workspaceId, end.runId, {
      status: end.outcome,
      converted: end.converted,
      ...(end.exitReason && { exitReason: end.exitReason }),
      endedAt: new Date(end.at),
    });
  }

  private async owner(runId: string): Promise<RunOwner> {
    const cached = this.owners.get(runId);
    if (cached) return cached;
    const owner = await this.repository.findRunOwner(runId);
    // A plain (retryable) error: workflows record a run's start before its steps, so only a bug lands here.
    if (!owner) throw new Error(`journey run "${runId}" is not recorded: record its start first`);
    this.owners.set(runId, owner);
    return owner;
  }
}
