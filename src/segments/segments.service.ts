import { HttpStatus, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { AppError } from '../common/app-error';
import { CommonErrorCode } from '../common/error-codes';
import { CreateSegmentRequest, UpdateSegmentRequest } from './dto/segment.request';
import { SegmentErrorCode } from './segment-errors';
import { SegmentChanges, SegmentRecord, SegmentsRepository } from './segments.repository';

/** A segment as the API shows it: the spec's BehavioralSegment fields. */
export type SegmentView = SegmentRecord & { leadCount: number | null; lastCalculated: Date | null };

/**
 * Segment definitions: static lists and criteria. Membership of dynamic and behavioral
 * segments (real-time, and recalculated on a Temporal Schedule) is the next slice; until
 * then their `leadCount` and `lastCalculated` are null.
 */
@Injectable()
export class SegmentsService {
  constructor(private readonly repository: SegmentsRepository) {}

  async create(workspaceId: string, request: CreateSegmentRequest): Promise<SegmentView> {
    const now = new Date();
    const { id = `seg_${randomUUID().replace(/-/g, '').slice(0, 16)}`, ...fields } = request;
    const segment: SegmentRecord = {
      id,
      ...fields,
      ...(fields.type === 'static' && { leadIds: unique(fields.leadIds ?? []) }),
      createdAt: now,
      updatedAt: now,
    };
    if (!(await this.repository.insert(workspaceId, segment)))
      throw new AppError(SegmentErrorCode.Exists, HttpStatus.CONFLICT, `id: a segment "${id}" already exists`);
    return view(segment);
  }

  async get(workspaceId: string, id: string): Promise<SegmentView> {
    return view(await this.find(workspaceId, id));
  }

  async list(workspaceId: string): Promise<SegmentView[]> {
    return (await this.repository.list(workspaceId)).map(view);
  }

  /** Changes a segment's definition; its criteria or list must suit its type. */
  async update(workspaceId: string, id: string, request: UpdateSegmentRequest): Promise<SegmentView> {
    const segment = await this.find(workspaceId, id);
    if (segment.type === 'static' && request.criteria)
      throw invalid('criteria', 'a static segment lists its leads in leadIds');
    if (segment.type !== 'static' && request.leadIds) throw invalid('leadIds', 'only a static segment lists leads');
    const changes: SegmentChanges = {
      ...request,
      ...(request.leadIds && { leadIds: unique(request.leadIds) }),
      updatedAt: new Date(),
    };
    if (!(await this.repository.update(workspaceId, id, changes))) throw notFound(id);
    return this.get(workspaceId, id);
  }

  async remove(workspaceId: string, id: string): Promise<void> {
    if (!(await this.repository.remove(workspaceId, id))) throw notFound(id);
  }

  private async find(workspaceId: string, id: string): Promise<SegmentRecord> {
    const segment = await this.repository.find(workspaceId, id);
    if (!segment) throw notFound(id);
    return segment;
  }
}

function view(segment: SegmentRecord): SegmentView {
  return {
    ...segment,
    leadCount: segment.type === 'static' ? (segment.leadIds?.length ?? 0) : null,
    lastCalculated: null,
  };
}

const unique = (ids: readonly string[]) => [...new Set(ids)];

const notFound = (id: string) =>
  new AppError(SegmentErrorCode.NotFound, HttpStatus.NOT_FOUND, `no segment has the id "${id}"`);

const invalid = (field: string, message: string) =>
  new AppError(CommonErrorCode.ValidationFailed, HttpStatus.BAD_REQUEST, `${field}: ${message}`);
