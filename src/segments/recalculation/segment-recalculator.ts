import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import type {
  BackfillResult,
  LeadsPage,
  MembershipChanges,
  RecalculationPlan,
  RecalculationResult,
  SegmentRef,
} from '../../../workflows/contracts/segment.contract';
import { EventsRepository } from '../../events/events.repository';
import { LeadsService } from '../../leads/leads.service';
import { rollupFilter } from '../criteria/rollup-filter';
import type { Criteria } from '../criteria/segment-criteria';
import { MembershipsRepository } from '../memberships.repository';
import { SegmentsRepository } from '../segments.repository';
import { StaticMembers } from '../static/static-members';
import { eventsByLead } from '../evaluation/events-by-lead';
import { CriteriaSegment, LeadToEvaluate, SegmentEvaluator } from '../evaluation/segment-evaluator';
import type { MembershipChange } from '../evaluation/segment-change-events';

/** Leads evaluated per read and write. */
const BATCH = 500;

/** What a long pass calls after each batch: the activity's heartbeat, so a dead worker is noticed. */
export type Progress = (done: number) => void;

/** Identifies criteria: a backfill is due when the criteria's key is not the one last backfilled. */
export const criteriaKey = (criteria: Criteria) =>
  createHash('sha256').update(JSON.stringify(criteria)).digest('base64url').slice(0, 22);

/**
 * The recalculation's steps, each an idempotent activity of the `segment` workflow
 * (workflows/segment): plan, backfill (criteria changed), evaluate every lead, record.
 */
@Injectable()
export class SegmentRecalculator {
  constructor(
    private readonly segments: SegmentsRepository,
    private readonly memberships: MembershipsRepository,
    private readonly events: EventsRepository,
    private readonly leads: LeadsService,
    private readonly staticMembers: StaticMembers,
    private readonly evaluator: SegmentEvaluator,
  ) {}

  async plan({ workspaceId, segmentId }: SegmentRef): Promise<RecalculationPlan> {
    if ((await this.segments.find(workspaceId, segmentId))?.type === 'static')
      return { recalculate: false, syncList: true };
    const segment = await this.criteriaSegment(workspaceId, segmentId);
    if (!segment) return { recalculate: false };
    const key = criteriaKey(segment.criteria);
    // Criteria answered from the leads' rollups keep no events: there is nothing to backfill.
    const backfill = segment.backfilledKey !== key && !rollupFilter(segment.criteria);
    return { recalculate: true, ...(backfill && { backfillKey: key }) };
  }

  /**
   * One pass over the events the criteria can count, as of `at`, folded into each lead's
   * kept events; then those leads are evaluated, in batches.
   */
  async backfill(
    { workspaceId, segmentId }: SegmentRef,
    at: Date,
    backfillKey: string,
    progress: Progress,
  ): Promise<BackfillResult> {
    const result: BackfillResult = { events: 0, entered: 0, exited: 0 };
    const segment = await this.criteriaSegment(workspaceId, segmentId);
    if (!segment) return result;
    const { byLead, read } = await eventsByLead(this.events, workspaceId, segment.criteria, at, progress);
    const leads = [...byLead].map(([leadId, events]): LeadToEvaluate => ({ leadId, events }));
    for (let i = 0; i < leads.length; i += BATCH) {
      tally(result, await this.evaluator.evaluate(workspaceId, segment, leads.slice(i, i + BATCH), at));
      progress(read + i);
    }
    // If the criteria changed meanwhile, the next run sees another key and backfills again.
    await this.segments.record(workspaceId, segmentId, { backfilledKey: backfillKey });
    return { ...result, events: read };
  }

  /** Evaluates up to `limit` leads after `after`, in id order, at `at`, from what each segment keeps. */
  async reevaluate(
    { workspaceId, segmentId }: SegmentRef,
    at: Date,
    after: string | undefined,
    limit: number,
    progress: Progress,
  ): Promise<LeadsPage> {
    const page: LeadsPage = { evaluated: 0, entered: 0, exited: 0 };
    const segment = await this.criteriaSegment(workspaceId, segmentId);
    if (!segment) return page;
    let batch: LeadToEvaluate[] = [];
    let last: string | undefined;
    const flush = async () => {
      tally(page, await this.evaluator.evaluate(workspaceId, segment, batch, at));
      page.evaluated += batch.length;
      batch = [];
      progress(page.evaluated);
    };
    for await (const lead of this.leads.leadsInOrder(workspaceId, after, limit)) {
      batch.push({ leadId: lead.id, events: [], traits: lead.traits });
      last = lead.id;
      if (batch.length === BATCH) await flush();
    }
    if (batch.length) await flush();
    return { ...page, ...(page.evaluated === limit && last !== undefined && { after: last }) };
  }

  /** A static segment's members made its stored list (after an import), each move with its event. */
  async syncList({ workspaceId, segmentId }: SegmentRef, progress: Progress): Promise<LeadsPage> {
    const moves = await this.staticMembers.sync(workspaceId, segmentId, new Date(), progress);
    const listed = (await this.segments.find(workspaceId, segmentId))?.leadIds?.length ?? 0;
    return { evaluated: listed, ...moves };
  }

  async finish({ workspaceId, segmentId }: SegmentRef, at: Date, startedAt: Date, result: RecalculationResult) {
    await this.segments.record(workspaceId, segmentId, {
      lastCalculation: {
        at,
        durationMs: Date.now() - startedAt.getTime(),
        evaluated: result.evaluated,
        entered: result.entered,
        exited: result.exited,
        members: await this.memberships.count(workspaceId, segmentId),
      },
    });
  }

  private async criteriaSegment(
    workspaceId: string,
    segmentId: string,
  ): Promise<(CriteriaSegment & { backfilledKey?: string }) | null> {
    const segment = await this.segments.find(workspaceId, segmentId);
    if (!segment || segment.type === 'static' || segment.status !== 'active' || !segment.criteria) return null;
    return { id: segment.id, name: segment.name, criteria: segment.criteria, backfilledKey: segment.backfilledKey };
  }
}

function tally(into: MembershipChanges, changes: readonly MembershipChange[]): void {
  for (const { change } of changes) into[change]++;
}
