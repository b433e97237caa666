import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model } from 'mongoose';
import { ignoreDuplicate } from '../database/mongo-errors';
import { scopedId, unscopedId } from '../database/scoped-id';
import { Segment } from './segment.model';

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
