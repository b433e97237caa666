import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model } from 'mongoose';
import { isDuplicateKey } from '../../database/mongo-errors';
import { SmsRecipient } from './sms-recipient.model';

export interface LeadRef {
  workspaceId: string;
  leadId: string;
}

/**
 * Phone number → the leads it was texted as. The one collection here keyed across
 * workspaces (see {@link SmsRecipient}): an inbound STOP knows only the number.
 */
@Injectable()
export class SmsRecipientsRepository {
  constructor(@InjectModel(SmsRecipient.name) private readonly recipients: Model<SmsRecipient>) {}

  async remember(phone: string, lead: LeadRef, now: Date): Promise<void> {
    const write = () =>
      this.recipients.collection.updateOne(
        { _id: phone as never },
        // Fields in a fixed order: $addToSet compares embedded documents field by field, in order.
        { $addToSet: { leads: { workspaceId: lead.workspaceId, leadId: lead.leadId } }, $set: { updatedAt: now } },
        { upsert: true },
      );
    // FerretDB can refuse one of two concurrent upserts creating the same `_id`; the retry adds to it.
    await write().catch((error: unknown) => {
      if (isDuplicateKey(error)) return write();
      throw error;
    });
  }

  /** Across workspaces on purpose: an inbound STOP names only a phone number; each lead carries its workspace. */
  async leadsOf(phone: string): Promise<LeadRef[]> {
    const doc = await this.recipients.findOne({ _id: phone }, { leads: 1 }).lean().exec();
    return doc?.leads ?? [];
  }
}
