import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model } from 'mongoose';
import { isDuplicateKey } from '../../database/mongo-errors';
import { FrequencyWindow } from './frequency-window.model';
import type { CapEntry } from './frequency-cap';
import type { Channel } from '../unsubscribe/unsubscribe-token';

export interface WindowState {
  sends: CapEntry[];
  /** 0 when the lead has no window yet. */
  version: number;
}

const windowId = (workspaceId: string, leadId: string, channel: Channel) => `${workspaceId}:${leadId}:${channel}`;

/** Each lead's recent sends per channel, one document each, written only as compare-and-set. */
@Injectable()
export class FrequencyWindowsRepository {
  constructor(@InjectModel(FrequencyWindow.name) private readonly windows: Model<FrequencyWindow>) {}

  async read(workspaceId: string, leadId: string, channel: Channel): Promise<WindowState> {
    const doc = await this.windows
      .findOne({ _id: windowId(workspaceId, leadId, channel), workspaceId }, { sends: 1, version: 1 })
      .lean()
      .exec();
    return doc ? { sends: doc.sends ?? [], version: doc.version } : { sends: [], version: 0 };
  }

  /**
   * Stores `sends` if the window is still at `expected.version`: false when another writer
   * got there first, and the caller should read again.
   */
  async write(
    workspaceId: string,
    leadId: string,
    channel: Channel,
    expected: WindowState,
    sends: CapEntry[],
    now: Date,
  ): Promise<boolean> {
    const _id = windowId(workspaceId, leadId, channel);
    if (expected.version === 0) {
      try {
        await this.windows.collection.insertOne({
          _id: _id as never,
          workspaceId,
          leadId,
          channel,
          sends,
          version: 1,
          updatedAt: now,
        });
        return true;
      } catch (error) {
        if (isDuplicateKey(error)) return false;
        throw error;
      }
    }
    const result = await this.windows.collection.updateOne(
      { _id: _id as never, workspaceId, version: expected.version },
      { $set: { sends, version: expected.version + 1, updatedAt: now } },
    );
    return result.matchedCount === 1;
  }
}
