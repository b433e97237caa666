import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';

/** One self-check round trip, keyed by its workflow id so a retried activity upserts. */
@Schema({ collection: 'self_checks', versionKey: false })
export class SelfCheck {
  @Prop({ type: String, required: true })
  _id!: string;

  @Prop({ type: String, required: true })
  message!: string;

  @Prop({ type: String, required: true })
  workerIdentity!: string;

  @Prop({ type: Date, required: true })
  recordedAt!: Date;
}

export const SelfCheckSchema = SchemaFactory.createForClass(SelfCheck);
