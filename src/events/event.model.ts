import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { Schema as MongooseSchema } from 'mongoose';

/**
 * One stored message. The `_id` is `source:messageId`, so a retried batch collides with
 * itself and is stored once (Segment dedupes on the same pair). The hot path writes with
 * the driver's `insertMany`; this schema declares the indexes reads need.
 */
@Schema({ collection: 'events', versionKey: false, strict: false })
export class TrackedEvent {
  @Prop({ type: String, required: true })
  _id!: string;

  @Prop({ type: String, required: true })
  workspaceId!: string;

  @Prop({ type: String, required: true })
  sourceId!: string;

  @Prop({ type: String, required: true })
  messageId!: string;

  @Prop({ type: String, required: true })
  type!: string;

  @Prop({ type: String })
  eventType?: string;

  @Prop({ type: String, required: true })
  leadId!: string;

  @Prop({ type: Date, required: true })
  timestamp!: Date;

  @Prop({ type: MongooseSchema.Types.Mixed })
  properties?: Record<string, unknown>;
}

export const TrackedEventSchema = SchemaFactory.createForClass(TrackedEvent);
TrackedEventSchema.index({ workspaceId: 1, leadId: 1, timestamp: -1 });
TrackedEventSchema.index({ workspaceId: 1, eventType: 1, timestamp: -1 });
