import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { Schema as MongooseSchema } from 'mongoose';
import type { CapEntry } from './frequency-cap';

/**
 * A lead's recent sends on one channel, for the rolling 24-hour frequency cap. The `_id`
 * is `workspaceId:leadId:channel`, so the hot path reads one document instead of counting
 * deliveries (which FerretDB would do by scanning). `version` makes every write a
 * compare-and-set.
 */
@Schema({ collection: 'frequency_windows', versionKey: false })
export class FrequencyWindow {
  @Prop({ type: String, required: true })
  _id!: string;

  @Prop({ type: String, required: true })
  workspaceId!: string;

  @Prop({ type: String, required: true })
  leadId!: string;

  @Prop({ type: String, required: true, enum: ['email', 'sms'] })
  channel!: 'email' | 'sms';

  /** At most the cap's worth of `{ key, at }`, older ones pruned on every write. */
  @Prop({ type: [MongooseSchema.Types.Mixed], default: [] })
  sends!: CapEntry[];

  @Prop({ type: Number, required: true })
  version!: number;

  @Prop({ type: Date, required: true })
  updatedAt!: Date;
}

export const FrequencyWindowSchema = SchemaFactory.createForClass(FrequencyWindow);
