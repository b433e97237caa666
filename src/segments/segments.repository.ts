import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model } from 'mongoose';
import { ignoreDuplicate } from '../database/mongo-errors';
import { scopedId, unscopedId } from '../database/scoped-id';
import { Segment } from './segment.model';
import type { CriteriaSegment } from './evaluation/segment-evaluator';

export type SegmentRecord = Omit<Segment, '_id' | 'workspaceId'> & { id: string };
export type SegmentChanges = Partial<Omit<SegmentRecord, 'id' | 'type' | 'createdAt'>>;

/** Segment definitions; every query is scoped by workspace. */
@Injectable()
export class SegmentsRepository {
  constructor(@InjectModel(Segment.name) private readonly segments: Model<Segment>) {}

  /** False when the workspace already has a segment with this id. */
  async insert(workspaceId: string, { id, ...segment }: SegmentRecord): Promise<boolean> {
    return ignoreDuplicate(() =>
      this.segments.collection.insertOne({ _id: scopedId(workspaceId, id) as never, workspaceId, ...segment }),
    );
  }

  async find(workspaceId: string, id: string): Promise<SegmentRecord | null> {
    const doc = await this.segments
      .findOne({ _id: scopedId(workspaceId, id), workspaceId })
      .lean()
      .exec();
    return doc && toRecord(doc);
  }

  /** A workspace's segments, newest first; a small collection, read whole. */
  async list(workspaceId: string): Promise<SegmentRecord[]> {
    const docs = await this.segments.find({ workspaceId }).sort({ createdAt: -1, _id: 1 }).lean().exec();
    return docs.map(toRecord);
  }

  /** The segments whose criteria decide their members now: dynamic or behavioral, and active. */
  async listActiveCriteria(workspaceId: string): Promise<CriteriaSegment[]> {
    const docs = await this.segments.collection
      .find(
        { workspaceId, status: 'active', type: { $in: ['dynamic', 'behavioral'] } },
        { projection: { name: 1, criteria: 1 } },
      )
      .sort({ _id: 1 })
      .toArray();
    return docs.map((doc) => ({
      id: unscopedId(workspaceId, doc._id as unknown as string),
      name: doc.name as string,
      criteria: doc.criteria,
    }));
  }

  /**
   * Every criteria segment of every workspace, for keeping their Schedules in step at start.
   * Across workspaces on purpose: Schedules are one per segment, whichever workspace owns it.
   */
  async listAllCriteria(): Promise<Array<{ workspaceId: string; segment: SegmentRecord }>> {
    const docs = await this.segments
      .find({ type: { $in: ['dynamic', 'behavioral'] } })
      .lean()
      .exec();
    return docs.map((doc) => ({ workspaceId: doc.workspaceId, segment: toRecord(doc) }));
  }

  /** Sets what the worker records on a segment (its backfill and last calculation), whatever else changed. */
  async record(workspaceId: string, id: string, changes: Pick<SegmentChanges, 'backfilledKey' | 'lastCalculation'>) {
    await this.segments.collection.updateOne(
      { _id: scopedId(workspaceId, id) as never, workspaceId },
      { $set: changes },
    );
  }

  /** False when there is no such segment, or it changed since `readAt` (its `updatedAt` then). */
  async update(workspaceId: string, id: string, readAt: Date, changes: SegmentChanges): Promise<boolean> {
    const result = await this.segments.updateOne(
      { _id: scopedId(workspaceId, id), workspaceId, updatedAt: readAt },
      { $set: changes },
    );
    return result.matchedCount > 0;
  }

  /** False when there was no such segment. */
  async remove(workspaceId: string, id: string): Promise<boolean> {
    const result = await this.segments.deleteOne({ _id: scopedId(workspaceId, id), workspaceId });
    return result.deletedCount > 0;
  }
}

function toRecord({ _id, workspaceId, ...segment }: Segment): SegmentRecord {
  return { id: unscopedId(workspaceId, _id), ...segment };
}
