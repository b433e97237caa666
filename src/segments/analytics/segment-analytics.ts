import { Injectable } from '@nestjs/common';
import { EventsRepository } from '../../events/events.repository';
import { SEGMENT_EVENTS } from '../evaluation/segment-change-events';
import { SegmentsService } from '../segments.service';
import { dailyGrowth, growthStart } from './segment-growth';

/**
 * A segment's analytics: its members now, its last recalculation (when, how long, what
 * changed) and its daily growth, counted from the `segment_entered` / `segment_exited`
 * events its changes recorded (each change records one, by an id it decides), so the history
 * is exact without a counter of its own.
 */
@Injectable()
export class SegmentAnalytics {
  constructor(
    private readonly segments: SegmentsService,
    private readonly events: EventsRepository,
  ) {}

  async analytics(workspaceId: string, segmentId: string, days: number) {
    const segment = await this.segments.get(workspaceId, segmentId);
    const now = new Date();
    const start = growthStart(now, days);
    // A segment deleted and made again under its id starts its history afresh.
    const since = segment.createdAt > start ? segment.createdAt : start;
    const changes: Array<{ change: 'entered' | 'exited'; at: Date }> = [];
    const types = [SEGMENT_EVENTS.entered, SEGMENT_EVENTS.exited];
    for await (const { type, timestamp } of this.events.eventsWhere(workspaceId, {
      types,
      since,
      equals: { segmentId },
    }))
      changes.push({ change: type === SEGMENT_EVENTS.entered ? 'entered' : 'exited', at: timestamp });
    return {
      segmentId,
      members: segment.leadCount,
      lastCalculated: segment.lastCalculated,
      lastCalculation: segment.lastCalculation ?? null,
      growth: dailyGrowth(changes, segment.leadCount, now, days),
    };
  }
}
