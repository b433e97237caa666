import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model } from 'mongoose';
import { duplicateKeyIndexes, isDuplicateKey } from '../../database/mongo-errors';
import { OutboxEntry } from './journey-outbox.model';

export type OutboxRecord = Omit<OutboxEntry, '_id'> & { id: string };

/**
 * The outbox is small by design (entries live from acceptance to delivery, normally
 * milliseconds), so reading the due ones is a cheap scan even on FerretDB.
 */
@Injectable()
export class JourneyOutboxRepository {
  constructor(@InjectModel(OutboxEntry.name) private readonly outbox: Model<OutboxEntry>) {}

  /** Adds entries; ones already there (a retried request) are left as they are. */
  async enqueue(entries: readonly OutboxRecord[]): Promise<void> {
    if (!entries.length) return;
    const docs = entries.map(({ id, ...entry }) => ({ _id: id, ...entry }));
    try {
      await this.outbox.collection.insertMany(docs as never[], { ordered: false });
    } catch (error) {
      // Only duplicates refused means everything is there; anything else must fail the request.
      if (!isDuplicateKey(error) && duplicateKeyIndexes(error) === undefined) throw error;
    }
  }

  /**
   * The oldest entries, due or not: the relay must see a lead's postponed entry to hold
   * back that lead's later ones, so each lead's signals keep their order. Across workspaces
   * on purpose: one relay delivers for every tenant, and each entry carries its workspace.
   */
  async oldest(limit: number): Promise<OutboxRecord[]> {
    const docs = await this.outbox.collection.find({}).sort({ createdAt: 1, _id: 1 }).limit(limit).toArray();
    return docs.map(({ _id, ...entry }) => ({ id: String(_id), ...(entry as unknown as Omit<OutboxRecord, 'id'>) }));
  }

  async remove(ids: readonly string[]): Promise<void> {
    if (ids.length) await this.outbox.collection.deleteMany({ _id: { $in: [...ids] as never[] } });
  }

  async postpone(id: string, nextAttemptAt: Date, error: string): Promise<void> {
    await this.outbox.collection.updateOne(
      { _id: id as never },
      { $set: { nextAttemptAt, lastError: error.slice(0, 500) }, $inc: { attempts: 1 } },
    );
  }

  async count(workspaceId?: string): Promise<number> {
    return this.outbox.collection.countDocuments(workspaceId ? { workspaceId } : {});
  }
}
