import { HttpStatus, Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { AppError } from '../common/app-error';
import { CommonErrorCode } from '../common/error-codes';
import { pageOf } from '../common/pagination';
import { CONFLICT, retryOnConflict } from '../common/retry-on-conflict';
import { LeadsService } from '../leads/leads.service';
import { CreateSegmentRequest, MAX_IMPORTED_LEADS, UpdateSegmentRequest } from './dto/segment.request';
import { MembersPage, MembershipsRepository } from './memberships.repository';
import { SegmentErrorCode } from './segment-errors';
import { SegmentChanges, SegmentRecord, SegmentsRepository } from './segments.repository';
import { ActiveSegmentsCache } from './evaluation/active-segments.cache';
import { ScheduleView, SegmentSchedules } from './recalculation/segment-schedules';
import { TemporalBackground } from '../temporal/temporal-background';
import { Moves, StaticMembers } from './static/static-members';
import type { SegmentCalculation } from './segment.model';

/** A segment as the API shows it: the spec's BehavioralSegment fields. */
export type SegmentView = Omit<SegmentRecord, 'backfilledKey' | 'lastCalculation'> & {
  leadCount: number;
  lastCalculated: Date | null;
  /** Criteria segments: the last recalculation, and the Schedule that runs the next (null when not active). */
  lastCalculation?: SegmentCalculation;
  schedule?: ScheduleView | null;
  /** Listed ids that are no lead's id, userId or anonymousId (static segments, on write). */
  unknownLeadIds?: string[];
};

/**
 * Segments: definitions, and the membership of static ones (a listed lead enters, an
 * unlisted one exits, each with its time). Criteria segments' members come from their
 * evaluation (evaluation/: after each batch) and recalculation (recalculation/: a Temporal
 * Schedule per segment, kept in step here).
 */
@Injectable()
export class SegmentsService {
  private readonly logger = new Logger(SegmentsService.name);

  constructor(
    private readonly repository: SegmentsRepository,
    private readonly memberships: MembershipsRepository,
    private readonly leads: LeadsService,
    private readonly active: ActiveSegmentsCache,
    private readonly schedules: SegmentSchedules,
    private readonly staticMembers: StaticMembers,
    private readonly background: TemporalBackground,
  ) {}

  async create(workspaceId: string, request: CreateSegmentRequest): Promise<SegmentView> {
    const now = new Date();
    const { id = `seg_${randomUUID().replace(/-/g, '').slice(0, 16)}`, ...fields } = request;
    const listed = fields.type === 'static' ? await this.resolveLeads(workspaceId, fields.leadIds ?? []) : undefined;
    const segment: SegmentRecord = {
      id,
      ...fields,
      ...(listed && { leadIds: listed.leadIds }),
      createdAt: now,
      updatedAt: now,
    };
    if (!(await this.repository.insert(workspaceId, segment)))
      throw new AppError(SegmentErrorCode.Exists, HttpStatus.CONFLICT, `id: a segment "${id}" already exists`);
    if (listed) await this.staticMembers.sync(workspaceId, id, now);
    await this.changed(workspaceId, segment, true);
    return {
      ...(await this.view(workspaceId, segment)),
      ...(listed?.unknown.length && { unknownLeadIds: listed.unknown }),
    };
  }

  async get(workspaceId: string, id: string): Promise<SegmentView> {
    return this.view(workspaceId, await this.find(workspaceId, id));
  }

  /** Without static segments' lists, which an import makes long: `GET /…/segments/:id` has them. */
  async list(workspaceId: string): Promise<Array<Omit<SegmentView, 'leadIds'>>> {
    const segments = await this.repository.list(workspaceId);
    return Promise.all(
      segments.map(async (segment) => {
        const { leadIds: _, ...view } = await this.view(workspaceId, segment);
        return view;
      }),
    );
  }

  /** A page of a segment's members, latest entries first. */
  async members(workspaceId: string, id: string, page: MembersPage) {
    await this.find(workspaceId, id);
    const found = await this.memberships.members(workspaceId, id, { ...page, limit: page.limit + 1 });
    const { page: members, nextCursor } = pageOf(found, page.limit, (member) => ({
      at: member.enteredAt,
      id: member.leadId,
    }));
    return { members: members.map(({ leadId, enteredAt }) => ({ leadId, enteredAt })), nextCursor };
  }

  /** The segments a lead (by id or identity, with the leads merged into it) is in now. */
  async segmentsOfLead(workspaceId: string, id: string) {
    const leadIds = await this.leads.findLeadIds(workspaceId, id);
    const memberships = await this.memberships.segmentsOf(workspaceId, leadIds);
    const bySegment = new Map(memberships.map((membership) => [membership.segmentId, membership]));
    return {
      leadId: leadIds[0],
      segments: [...bySegment.values()].map(({ segmentId, enteredAt }) => ({ segmentId, enteredAt })),
    };
  }

  /** Whether the workspace has this segment: one read, none of a view's counts. */
  async exists(workspaceId: string, id: string): Promise<boolean> {
    return (await this.repository.find(workspaceId, id)) !== null;
  }

  /** Whether any of these lead ids (a lead and those merged into it) is a member of any of these segments. */
  async memberOfAny(workspaceId: string, leadIds: readonly string[], segmentIds: readonly string[]): Promise<boolean> {
    const memberships = await this.memberships.segmentsOf(workspaceId, leadIds);
    return memberships.some(({ segmentId }) => segmentIds.includes(segmentId));
  }

  /** Changes a segment's definition; its criteria or list must suit its type. */
  async update(workspaceId: string, id: string, request: UpdateSegmentRequest): Promise<SegmentView> {
    const segment = await this.find(workspaceId, id);
    if (segment.type === 'static' && request.criteria)
      throw invalid('criteria', 'a static segment lists its leads in leadIds');
    if (segment.type !== 'static' && request.leadIds) throw invalid('leadIds', 'only a static segment lists leads');
    const now = new Date();
    const listed = request.leadIds && (await this.resolveLeads(workspaceId, request.leadIds));
    const changes: SegmentChanges = { ...request, ...(listed && { leadIds: listed.leadIds }), updatedAt: now };
    // Conditional on the segment as read: of two edits at once, the second is refused, not merged.
    if (!(await this.repository.update(workspaceId, id, segment.updatedAt, changes))) throw changedMeanwhile(id);
    if (listed) await this.staticMembers.sync(workspaceId, id, now);
    const updated = await this.find(workspaceId, id);
    const recalculateNow =
      request.criteria !== undefined || (request.status === 'active' && segment.status !== 'active');
    await this.changed(workspaceId, updated, recalculateNow);
    return {
      ...(await this.view(workspaceId, updated)),
      ...(listed?.unknown.length && { unknownLeadIds: listed.unknown }),
    };
  }

  /**
   * Adds the leads of an imported list to a static segment's list, or makes them its list
   * (`replace`), then moves its members to match, as an edit of `leadIds` does. Ids that are
   * no lead's are counted and a sample of them returned; the import goes on without them.
   */
  async importLeads(
    workspaceId: string,
    id: string,
    ids: readonly string[],
    mode: 'add' | 'replace',
  ): Promise<SegmentImport> {
    if ((await this.find(workspaceId, id)).type !== 'static')
      throw invalid('type', 'only a static segment imports a list of leads');
    const found = await this.resolveLeads(workspaceId, ids);
    const now = new Date();
    await retryOnConflict(
      `segment "${id}"`,
      async () => {
        const segment = await this.find(workspaceId, id);
        const leadIds = mode === 'add' ? [...new Set([...(segment.leadIds ?? []), ...found.leadIds])] : found.leadIds;
        if (leadIds.length > MAX_IMPORTED_LEADS)
          throw invalid('body', `the segment would list ${leadIds.length} leads; it may list ${MAX_IMPORTED_LEADS}`);
        const updated = await this.repository.update(workspaceId, id, segment.updatedAt, { leadIds, updatedAt: now });
        return updated || CONFLICT;
      },
      { giveUp: () => changedMeanwhile(id) },
    );
    return {
      segmentId: id,
      mode,
      ids: ids.length,
      leadsFound: found.leadIds.length,
      unknownCount: found.unknown.length,
      unknownLeadIds: found.unknown.slice(0, UNKNOWN_SAMPLE),
      ...(await this.moveToList(workspaceId, id, now)),
    };
  }

  /**
   * A long list's members are moved by a workflow on the worker, which survives a crash; with
   * Temporal unreachable they are moved here, before answering.
   */
  private async moveToList(workspaceId: string, id: string, now: Date): Promise<ImportMoves> {
    try {
      return {
        membersSync: 'started',
        workflowId: await this.schedules.startRun({ workspaceId, segmentId: id }, 'import'),
      };
    } catch (error) {
      this.logger.warn({ err: error }, `segment "${id}": Temporal unreachable, so the import's members move now`);
      const moves = await this.staticMembers.sync(workspaceId, id, now);
      return { membersSync: 'done', ...moves, leadCount: await this.memberships.count(workspaceId, id) };
    }
  }

  async remove(workspaceId: string, id: string): Promise<void> {
    if (!(await this.repository.remove(workspaceId, id))) throw notFound(id);
    this.active.forget(workspaceId);
    await this.memberships.removeSegment(workspaceId, id);
    await this.background.run(
      () =>
        this.schedules
          .remove({ workspaceId, segmentId: id })
          .catch((error) =>
            this.logger.warn({ err: error }, `segment "${id}" deleted; its Schedule is deleted at the next API start`),
          ),
      () => this.logger.warn(`segment "${id}": Temporal slow; its Schedule is deleted in the background`),
    );
  }

  /** Starts a criteria segment's recalculation now (or right after the one running). */
  async recalculate(workspaceId: string, id: string): Promise<{ scheduleId: string }> {
    const segment = await this.find(workspaceId, id);
    const schedule = this.schedules.view(workspaceId, segment);
    if (!schedule) throw invalid('type', 'only an active dynamic or behavioral segment is recalculated');
    try {
      await this.schedules.sync(workspaceId, segment, true);
    } catch (error) {
      this.logger.warn({ err: error }, `segment "${id}": recalculation not started`);
      throw new AppError(
        SegmentErrorCode.RecalculationUnavailable,
        HttpStatus.SERVICE_UNAVAILABLE,
        'Temporal is unreachable, so the recalculation could not start; retry',
      );
    }
    return { scheduleId: schedule.scheduleId };
  }

  /**
   * After a change: real-time evaluation reads the new definition at once, and the Schedule
   * follows it. Temporal being down does not fail the change, nor hold the answer past a
   * moment (its client retries for many seconds): the next API start syncs it.
   */
  private async changed(workspaceId: string, segment: SegmentRecord, recalculateNow: boolean): Promise<void> {
    this.active.forget(workspaceId);
    if (segment.type === 'static') return;
    await this.background.run(
      () =>
        this.schedules
          .sync(workspaceId, segment, recalculateNow)
          .catch((error) =>
            this.logger.warn(
              { err: error },
              `segment "${segment.id}": Schedule not synced; the next API start syncs it`,
            ),
          ),
      () => this.logger.warn(`segment "${segment.id}": Temporal slow; its Schedule is synced in the background`),
    );
  }

  /** Listed ids as lead ids (a userId or anonymousId finds its lead, merges are followed), once each. */
  private async resolveLeads(workspaceId: string, ids: readonly string[]) {
    const unique = [...new Set(ids)];
    const found = await this.leads.resolveLeadIds(workspaceId, unique);
    return { leadIds: [...new Set(found.values())], unknown: unique.filter((id) => !found.has(id)) };
  }

  private async view(workspaceId: string, { backfilledKey: _, ...segment }: SegmentRecord): Promise<SegmentView> {
    return {
      ...segment,
      leadCount: await this.memberships.count(workspaceId, segment.id),
      lastCalculated: segment.lastCalculation?.at ?? null,
      ...(segment.type !== 'static' && { schedule: this.schedules.view(workspaceId, segment) }),
    };
  }

  private async find(workspaceId: string, id: string): Promise<SegmentRecord> {
    const segment = await this.repository.find(workspaceId, id);
    if (!segment) throw notFound(id);
    return segment;
  }
}

/**
 * An import's outcome: ids read, the leads they are, and how its members move: by a workflow
 * (`started`, its id to follow in the Temporal UI) or, Temporal unreachable, before answering (`done`).
 */
export type SegmentImport = {
  segmentId: string;
  mode: 'add' | 'replace';
  ids: number;
  leadsFound: number;
  unknownCount: number;
  /** The first of the ids that are no lead's, in file order. */
  unknownLeadIds: string[];
} & ImportMoves;

type ImportMoves =
  { membersSync: 'started'; workflowId: string } | ({ membersSync: 'done'; leadCount: number } & Moves);

const UNKNOWN_SAMPLE = 100;

const changedMeanwhile = (id: string) =>
  new AppError(
    SegmentErrorCode.Changed,
    HttpStatus.CONFLICT,
    `segment "${id}" changed while this change was made (or was deleted); read it again and resend`,
  );

const notFound = (id: string) =>
  new AppError(SegmentErrorCode.NotFound, HttpStatus.NOT_FOUND, `no segment has the id "${id}"`);

const invalid = (field: string, message: string) =>
  new AppError(CommonErrorCode.ValidationFailed, HttpStatus.BAD_REQUEST, `${field}: ${message}`);
