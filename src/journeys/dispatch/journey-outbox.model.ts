import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { Schema as MongooseSchema } from 'mongoose';
import type { LeadEventSignal } from '../../../workflows/contracts/lead.contract';

/**
 * How a signal reaches the lead workflow: `start` (signalWithStart: the event may start a
 * journey) or `signal` (a plain signal: only a lead already in a journey cares, so a lead
 * with no workflow is not started for it).
 */
export type DeliveryMode = 'start' | 'signal';

/**
 * A signal owed to a lead workflow, written before the client's 200 and deleted once
 * Temporal has it. While Temporal is down these wait here; nothing is lost.
 */
@Schema({ collection: 'journey_outbox', versionKey: false })
export class OutboxEntry {
  /** The event's own `_id`, so a retried request enqueues nothing twice. */
  @Prop({ type: String, required: true })
  _id!: string;

  @Prop({ type: String, required: true })
  workspaceId!: string;

  @Prop({ type: String, required: true })
  leadId!: string;

  @Prop({ type: String, required: true, enum: ['start', 'signal'] })
  mode!: DeliveryMode;

  @Prop({ type: MongooseSchema.Types.Mixed, required: true })
  signal!: LeadEventSignal;

  /** Orders one lead's signals as its events were accepted. */
  @Prop({ type: Date, required: true })
  createdAt!: Date;

  @Prop({ type: Number, default: 0 })
  attempts!: number;

  @Prop({ type: Date, required: true })
  nextAttemptAt!: Date;

  @Prop({ type: String })
  lastError?: string;
}

export const OutboxEntrySchema = SchemaFactory.createForClass(OutboxEntry);
