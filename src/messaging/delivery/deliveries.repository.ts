import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model, mongo } from 'mongoose';
import { isDuplicateKey } from '../../database/mongo-errors';
import { Delivery, DeliveryStatus, SkipReason } from './delivery.model';

export type DeliveryRecord = Omit<Delivery, '_id'> & { id: string };

/** What a delivery is about; written once, when its document is created. */
export type DeliveryBase = Pick<Delivery, 'channel' | 'leadId' | 'journeyId' | 'runId' | 'stepId' | 'template'>;

const FINAL: DeliveryStatus[] = ['sent', 'skipped'];

/** Deliveries by `_id` (`workspaceId:key`); every write is an upsert, so any step may be the first. */
@Injectable()
export class DeliveriesRepository {
  constructor(@InjectModel(Delivery.name) private readonly deliveries: Model<Delivery>) {}

  async find(workspaceId: string, id: string): Promise<DeliveryRecord | null> {
    const doc = await this.deliveries.findOne({ _id: id, workspaceId }).lean().exec();
    return doc && toRecord(doc);
  }

  /**
   * Marks an attempt as under way and counts it, unless the delivery is already final
   * (a racing attempt finished it): answers whether this attempt may send.
   */
  async start(workspaceId: string, id: string, base: DeliveryBase, to: string, now: Date): Promise<boolean> {
    const write = () =>
      this.upsert(
        { _id: id as never, workspaceId, status: { $nin: FINAL } },
        { $set: { to, status: 'sending', updatedAt: now }, $setOnInsert: onInsert(base, now), $inc: { attempts: 1 } },
      );
    try {
      await write();
      return true;
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
      // The filter skipped a final delivery, so the upsert collided with it; or a racing
      // first attempt created the document a moment before us.
      const current = await this.find(workspaceId, id);
      if (current && FINAL.includes(current.status)) return false;
      await write();
      return true;
    }
  }

  async markSent(workspaceId: string, id: string, base: DeliveryBase, to: string, providerId: string, now: Date) {
    await this.save(workspaceId, id, base, now, { status: 'sent', to, providerId, sentAt: now, updatedAt: now });
  }

  async markSkipped(
    workspaceId: string,
    id: string,
    base: DeliveryBase,
    reason: SkipReason,
    to: string | undefined,
    now: Date,
  ) {
    await this.save(workspaceId, id, base, now, { status: 'skipped', reason, ...(to && { to }), updatedAt: now });
  }

  /** Records why an attempt failed; the delivery stays open for the next attempt. */
  async markFailed(workspaceId: string, id: string, base: DeliveryBase, error: string, now: Date) {
    await this.save(workspaceId, id, base, now, { status: 'failed', lastError: error, updatedAt: now });
  }

  private async save(workspaceId: string, id: string, base: DeliveryBase, now: Date, set: Partial<Delivery>) {
    const write = () =>
      this.upsert(
        { _id: id as never, workspaceId },
        { $set: set, $setOnInsert: { ...onInsert(base, now), attempts: 0 } },
      );
    // FerretDB can refuse one of two concurrent upserts creating the same `_id`; the retry updates it.
    await write().catch((error: unknown) => {
      if (isDuplicateKey(error)) return write();
      throw error;
    });
  }

  private async upsert(filter: mongo.Filter<mongo.Document>, update: mongo.UpdateFilter<mongo.Document>) {
    await this.deliveries.collection.updateOne(filter, update, { upsert: true });
  }
}

function onInsert(base: DeliveryBase, now: Date) {
  return { ...base, createdAt: now };
}

function toRecord({ _id, ...delivery }: Delivery): DeliveryRecord {
  return { id: _id, ...delivery };
}
