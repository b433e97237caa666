import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model } from 'mongoose';
import { SelfCheck } from './self-check.model';

export interface SelfCheckRecord {
  checkId: string;
  message: string;
  workerIdentity: string;
  recordedAt: Date;
}

@Injectable()
export class SelfCheckRepository {
  constructor(@InjectModel(SelfCheck.name) private readonly model: Model<SelfCheck>) {}

  /** Upserts by check id; the first write's timestamp wins, so a retry changes nothing. */
  async upsert(check: Omit<SelfCheckRecord, 'recordedAt'>, now: Date): Promise<SelfCheckRecord> {
    const doc = await this.model
      .findOneAndUpdate(
        { _id: check.checkId },
        {
          $set: { message: check.message, workerIdentity: check.workerIdentity },
          $setOnInsert: { recordedAt: now },
        },
        { upsert: true, new: true, lean: true },
      )
      .orFail() // an upsert with `new: true` always returns the document
      .exec();
    return toRecord(doc);
  }

  async findById(checkId: string): Promise<SelfCheckRecord | null> {
    const doc = await this.model.findById(checkId).lean().exec();
    return doc && toRecord(doc);
  }
}

function toRecord(doc: SelfCheck): SelfCheckRecord {
  return {
    checkId: doc._id,
    message: doc.message,
    workerIdentity: doc.workerIdentity,
    recordedAt: doc.recordedAt,
  };
}
