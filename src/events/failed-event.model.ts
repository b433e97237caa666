import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';

/** A message we refused, kept with the reason so nothing a client sent disappears silently. */
@Schema({ collection: 'failed_events', versionKey: false })
export class FailedEvent {
  @Prop({ type: String, required: true, index: true })
  workspaceId!: string;

  @Prop({ type: String, required: true })
  sourceId!: string;

  @Prop({ type: String })
  messageId?: string;

  @Prop({ type: String, required: true })
  reason!: string;

  /** `invalid` (not a well-formed message) or `schema` (breaks its catalog property schema). */
  @Prop({ type: String, required: true })
  kind!: string;

  /** The message as sent, as JSON text: it may hold keys MongoDB cannot store. */
  @Prop({ type: String, required: true })
  payload!: string;

  @Prop({ type: Date, required: true })
  receivedAt!: Date;
}

export const FailedEventSchema = SchemaFactory.createForClass(FailedEvent);
