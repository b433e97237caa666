import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';

export type DeliveryStatus = 'sending' | 'sent' | 'skipped' | 'failed';
export type SkipReason = 'unsubscribed' | 'no_address' | 'frequency_capped';

/**
 * One email or SMS a journey step sent, or decided not to. The `_id` is
 * `workspaceId:runId:stepId` (the step's idempotency key), so a retried activity finds
 * its earlier outcome with one `_id` read. `sent` and `skipped` are final; `sending` and
 * `failed` are tried again by the next attempt.
 */
@Schema({ collection: 'deliveries', versionKey: false })
export class Delivery {
  @Prop({ type: String, required: true })
  _id!: string;

  @Prop({ type: String, required: true })
  workspaceId!: string;

  @Prop({ type: String, required: true, enum: ['email', 'sms'] })
  channel!: 'email' | 'sms';

  @Prop({ type: String, required: true })
  leadId!: string;

  @Prop({ type: String, required: true })
  journeyId!: string;

  @Prop({ type: String, required: true })
  runId!: string;

  @Prop({ type: String, required: true })
  stepId!: string;

  @Prop({ type: String })
  template?: string;

  /** The address used: an email address or an E.164 number; absent when the lead had none. */
  @Prop({ type: String })
  to?: string;

  @Prop({ type: String, required: true, enum: ['sending', 'sent', 'skipped', 'failed'] })
  status!: DeliveryStatus;

  @Prop({ type: String, enum: ['unsubscribed', 'no_address', 'frequency_capped'] })
  reason?: SkipReason;

  /** The SMTP Message-ID or the Twilio message SID. */
  @Prop({ type: String })
  providerId?: string;

  /** Attempts that reached the provider; informational (FerretDB's `$inc` can lose a racing increment). */
  @Prop({ type: Number, default: 0 })
  attempts!: number;

  @Prop({ type: String })
  lastError?: string;

  @Prop({ type: Date, required: true })
  createdAt!: Date;

  @Prop({ type: Date, required: true })
  updatedAt!: Date;

  @Prop({ type: Date })
  sentAt?: Date;
}

export const DeliverySchema = SchemaFactory.createForClass(Delivery);
