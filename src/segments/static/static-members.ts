import { Injectable } from '@nestjs/common';
import { MembershipChange, SegmentChangeEvents } from '../evaluation/segment-change-events';
import { MembershipsRepository } from '../memberships.repository';
import { SegmentRecord, SegmentsRepository } from '../segments.repository';

/** Leads entered or let out per write, with their events. */
const MOVE_CHUNK = 1_000;

/** How many leads a sync entered and let out. */
export type Moves = Record<MembershipChange['change'], number>;

/**
 * A static segment's members kept to its stored list: by the API after an edit of the list,
 * and by the worker after an import (a long list, synced in a workflow that survives a crash).
 */
@Injectable()
export class StaticMembers {
  constructor(
    private readonly segments: SegmentsRepository,
    private readonly memberships: MembershipsRepository,
    private readonly changeEvents: SegmentChangeEvents,
  ) {}

  /**
   * Makes a static segment's members its stored list, and records a segment_entered or
   * segment_exited event for each lead it moves. Another edit may land while this one applies
   * its list, so it applies the latest stored list and stops only once the segment has not
   * changed meanwhile: whichever edit finishes last leaves the latest list applied. Exits come
   * from the members stored, not from a list read earlier, and each move owes its event until
   * it is recorded, so a retry after a crash here completes the change and its events.
   */
  async sync(workspaceId: string, id: string, now: Date, progress: (moved: number) => void = () => {}): Promise<Moves> {
    const moves = { entered: 0, exited: 0 };
    for (let attempt = 0; attempt < 5; attempt++) {
      const segment = await this.segments.find(workspaceId, id);
      if (!segment) return moves; // deleted meanwhile: its memberships went with it
      // The events a sync that crashed after its moves still owes.
      if (attempt === 0) await this.recordOwed(workspaceId, segment, now);
      const listed = new Set(segment.leadIds ?? []);
      const members = new Set(await this.memberships.memberIds(workspaceId, id));
      for (const [change, leadIds] of [
        ['exited', [...members].filter((leadId) => !listed.has(leadId))],
        ['entered', [...listed].filter((leadId) => !members.has(leadId))],
      ] as const)
        for (let start = 0; start < leadIds.length; start += MOVE_CHUNK) {
          const chunk = leadIds.slice(start, start + MOVE_CHUNK);
          const moved =
            change === 'entered'
              ? await this.memberships.enter(workspaceId, id, chunk, now)
              : await this.memberships.exit(workspaceId, id, chunk, now);
          await this.recordOwed(workspaceId, segment, now, moved);
          moves[change] += moved.length;
          progress(moves.entered + moves.exited);
        }
      const after = await this.segments.find(workspaceId, id);
      if (after?.updatedAt.getTime() === segment.updatedAt.getTime()) return moves;
    }
    return moves;
  }

  /** One event per move owed (of these leads, or all), numbered by its entry as criteria segments' are. */
  private async recordOwed(workspaceId: string, segment: SegmentRecord, now: Date, leadIds?: readonly string[]) {
    const owed = await this.memberships.owedEvents(workspaceId, segment.id, leadIds);
    const changes = owed.map((move): MembershipChange => ({
      ...move,
      segmentId: segment.id,
      segmentName: segment.name,
    }));
    await this.changeEvents.record(workspaceId, changes, now);
    await this.memberships.clearOwedEvents(workspaceId, segment.id, owed);
  }
}
