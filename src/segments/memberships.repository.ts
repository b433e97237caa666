import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model, mongo } from 'mongoose';
import { duplicateKeyIndexes } from '../database/mongo-errors';
import { scopedId } from '../database/scoped-id';
import { SegmentMember } from './segment-member.model';

export interface Membership {
  segmentId: string;
  leadId: string;
  enteredAt: Date;
}

export interface MembersPage {
  before?: { at: Date; id: string };
  limit: number;
}

const memberId = (workspaceId: string, segmentId: string, leadId: string) =>
  scopedId(workspaceId, `${segmentId}:${leadId}`);

/** Who is in which segment, and since when; every query is scoped by workspace. */
@Injectable()
export class MembershipsRepository {
  constructor(@InjectModel(SegmentMember.name) private readonly memberships: Model<SegmentMember>) {}

  /**
   * Enters the leads that are not members yet, and answers which those were. Each is one
   * upsert conditional on not being a member: a lead already in makes it miss and collide
   * with its own document, which is how "already a member" is told apart.
   */
  async enter(workspaceId: string, segmentId: string, leadIds: readonly string[], now: Date): Promise<string[]> {
    if (!leadIds.length) return [];
    const operations = leadIds.map((leadId): mongo.AnyBulkWriteOperation => ({
      updateOne: {
        filter: { _id: memberId(workspaceId, segmentId, leadId) as never, member: { $ne: true } },
        update: {
          $set: { member: true, enteredAt: now },
          $unset: { exitedAt: '' },
          $inc: { entries: 1 },
          $setOnInsert: { workspaceId, segmentId, leadId },
        },
        upsert: true,
      },
    }));
    try {
      await this.memberships.collection.bulkWrite(operations, { ordered: false });
      return [...leadIds];
    } catch (error) {
      const alreadyIn = duplicateKeyIndexes(error);
      if (!alreadyIn) throw error;
      const skipped = new Set(alreadyIn);
      return leadIds.filter((_, i) => !skipped.has(i));
    }
  }

  /** Takes the leads out that are members, and answers which those were. */
  async exit(workspaceId: string, segmentId: string, leadIds: readonly string[], now: Date): Promise<string[]> {
    if (!leadIds.length) return [];
    const ids = leadIds.map((leadId) => memberId(workspaceId, segmentId, leadId));
    const current = await this.memberships.collection
      .find({ _id: { $in: ids as never[] }, workspaceId, member: true }, { projection: { leadId: 1 } })
      .toArray();
    const exited: string[] = [];
    for (const { _id, leadId } of current) {
      // Conditional, so of two processes taking one lead out only one reports it.
      const result = await this.memberships.collection.updateOne(
        { _id, member: true },
        { $set: { member: false, exitedAt: now } },
      );
      if (result.modifiedCount) exited.push(leadId as string);
    }
    return exited;
  }

  /** A page of a segment's members, latest entries first. */
  async members(workspaceId: string, segmentId: string, page: MembersPage): Promise<Membership[]> {
    const filter: mongo.Filter<mongo.Document> = { workspaceId, segmentId, member: true };
    if (page.before) {
      const { at, id } = page.before;
      filter.$or = [{ enteredAt: { $lt: at } }, { enteredAt: at, leadId: { $lt: id } }];
    }
    const docs = await this.memberships.collection
      .find(filter, { projection: { segmentId: 1, leadId: 1, enteredAt: 1 } })
      .sort({ enteredAt: -1, leadId: -1 })
      .limit(page.limit)
      .toArray();
    return docs.map(({ segmentId: s, leadId, enteredAt }) => ({ segmentId: s, leadId, enteredAt }));
  }

  /** Every lead in a segment now (static segments list at most a thousand). */
  async memberIds(workspaceId: string, segmentId: string): Promise<string[]> {
    const docs = await this.memberships.collection
      .find({ workspaceId, segmentId, member: true }, { projection: { leadId: 1 } })
      .toArray();
    return docs.map((doc) => doc.leadId as string);
  }

  async count(workspaceId: string, segmentId: string): Promise<number> {
    return this.memberships.collection.countDocuments({ workspaceId, segmentId, member: true });
  }

  /** The segments a lead is in now. */
  async segmentsOf(workspaceId: string, leadIds: readonly string[]): Promise<Membership[]> {
    const docs = await this.memberships.collection
      .find(
        { workspaceId, leadId: { $in: [...leadIds] }, member: true },
        { projection: { segmentId: 1, leadId: 1, enteredAt: 1 } },
      )
      .sort({ enteredAt: -1 })
      .toArray();
    return docs.map(({ segmentId, leadId, enteredAt }) => ({ segmentId, leadId, enteredAt }));
  }

  /** Forgets a deleted segment's memberships. */
  async removeSegment(workspaceId: string, segmentId: string): Promise<void> {
    await this.memberships.collection.deleteMany({ workspaceId, segmentId });
  }
}
