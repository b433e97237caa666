import { Injectable } from '@nestjs/common';
import { IngestionService } from '../../events/ingestion.service';
import type { Transition } from '../memberships.repository';

/** Events Nudge records when a lead enters or leaves a segment; journeys can start on them. */
export const SEGMENT_EVENTS = { entered: 'segment_entered', exited: 'segment_exited' } as const;

/** A change of membership; its change and entry number make its event's messageId. */
export interface MembershipChange extends Transition {
  segmentId: string;
  segmentName: string;
  leadId: string;
}

/**
 * Records one `segment_entered` / `segment_exited` event per membership change, on the lead,
 * as a tracked event (so journeys start on it and analytics count it). The messageId is the
 * change's own (segment, lead, entry number), so recording a change twice stores it once.
 */
@Injectable()
export class SegmentChangeEvents {
  constructor(private readonly ingestion: IngestionService) {}

  async record(workspaceId: string, changes: readonly MembershipChange[], now: Date): Promise<void> {
    if (!changes.length) return;
    await this.ingestion.recordOnLeads(
      workspaceId,
      changes.map((change) => ({
        leadId: change.leadId,
        message: {
          type: 'track',
          event: SEGMENT_EVENTS[change.change],
          messageId: `segment-${change.change}-${change.segmentId}-${change.leadId}-${change.entry}`,
          timestamp: now.toISOString(),
          properties: { segmentId: change.segmentId, segmentName: change.segmentName },
        },
      })),
      now,
    );
  }
}
