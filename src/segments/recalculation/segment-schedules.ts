import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Client, ScheduleAlreadyRunning, ScheduleNotFoundError, ScheduleOverlapPolicy } from '@temporalio/client';
import {
  SEGMENT_RECALCULATION_WORKFLOW,
  SegmentRef,
  segmentRecalculationWorkflowId,
  segmentScheduleId,
} from '../../../workflows/contracts/segment.contract';
import { AppConfig, ConfigService } from '../../config/config.module';
import { TEMPORAL_CLIENT } from '../../temporal/temporal-client.provider';
import type { SegmentRecord } from '../segments.repository';
import { SegmentsRepository } from '../segments.repository';

/** What a segment's Schedule is, as the API shows it. */
export interface ScheduleView {
  scheduleId: string;
  everyMinutes: number;
}

/**
 * One Temporal Schedule per active criteria segment, starting its recalculation every
 * `recalculateEveryMinutes` (overlap skipped: a run still going when the next is due makes
 * that one skip). Kept in step with the segment on every change, and on every API start
 * (segment-schedules.sync.ts), so a change made while Temporal was down is applied then.
 */
@Injectable()
export class SegmentSchedules {
  private readonly defaultMinutes: number;
  private readonly taskQueue: string;

  constructor(
    @Inject(TEMPORAL_CLIENT) private readonly client: Client,
    @Inject(ConfigService) config: AppConfig,
    private readonly segments: SegmentsRepository,
  ) {
    this.defaultMinutes = config.get('SEGMENT_RECALCULATE_EVERY_MINUTES', { infer: true });
    this.taskQueue = config.get('TEMPORAL_TASK_QUEUE', { infer: true });
  }

  everyMinutes(segment: Pick<SegmentRecord, 'recalculateEveryMinutes'>): number {
    return segment.recalculateEveryMinutes ?? this.defaultMinutes;
  }

  view(workspaceId: string, segment: SegmentRecord): ScheduleView | null {
    if (!isScheduled(segment)) return null;
    return {
      scheduleId: segmentScheduleId({ workspaceId, segmentId: segment.id }),
      everyMinutes: this.everyMinutes(segment),
    };
  }

  /**
   * Makes the segment's Schedule match it: created or updated while it is an active criteria
   * segment, deleted otherwise. `recalculateNow` also starts a run at once (after a running
   * one, if any), as a new segment or new criteria need.
   */
  async sync(workspaceId: string, segment: SegmentRecord, recalculateNow: boolean): Promise<void> {
    const ref = { workspaceId, segmentId: segment.id };
    if (!isScheduled(segment)) return this.remove(ref);
    const every = this.everyMinutes(segment) * 60_000; // ms
    const handle = this.client.schedule.getHandle(segmentScheduleId(ref));
    try {
      await this.client.schedule.create({
        scheduleId: segmentScheduleId(ref),
        spec: { intervals: [{ every }] },
        action: {
          type: 'startWorkflow',
          workflowType: SEGMENT_RECALCULATION_WORKFLOW,
          workflowId: segmentScheduleId(ref),
          args: [ref],
          taskQueue: this.taskQueue,
        },
        policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 minute' },
        memo: { segmentName: segment.name },
      });
    } catch (error) {
      if (!(error instanceof ScheduleAlreadyRunning)) throw error;
      await handle.update((previous) => ({ ...previous, spec: { intervals: [{ every }] } }));
    }
    if (recalculateNow) await handle.trigger(ScheduleOverlapPolicy.BUFFER_ONE);
  }

  /** Starts a recalculation now, or right after the one running. */
  async trigger(ref: SegmentRef): Promise<void> {
    await this.client.schedule.getHandle(segmentScheduleId(ref)).trigger(ScheduleOverlapPolicy.BUFFER_ONE);
  }

  /**
   * Starts a run outside the Schedule, as a static segment's import does to bring its members
   * to its new list; answers the run's workflow id. Two runs at once are safe: each applies
   * the latest list, and each move's event is keyed by the move.
   */
  async startRun(ref: SegmentRef, reason: string): Promise<string> {
    const workflowId = segmentRecalculationWorkflowId(ref, `${reason}-${randomUUID()}`);
    await this.client.workflow.start(SEGMENT_RECALCULATION_WORKFLOW, {
      workflowId,
      args: [ref],
      taskQueue: this.taskQueue,
    });
    return workflowId;
  }

  async remove(ref: SegmentRef): Promise<void> {
    try {
      await this.client.schedule.getHandle(segmentScheduleId(ref)).delete();
    } catch (error) {
      if (!(error instanceof ScheduleNotFoundError)) throw error;
    }
  }

  /** Every segment's Schedule made to match it (a change made while Temporal was down). */
  async syncAll(): Promise<void> {
    for (const { workspaceId, segment } of await this.segments.listAllCriteria())
      await this.sync(workspaceId, segment, false);
  }
}

const isScheduled = (segment: SegmentRecord) => segment.type !== 'static' && segment.status === 'active';
