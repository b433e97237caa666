import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';

export type IdentityKind = 'user' | 'anon';

/**
 * One identity of a lead. The `_id` is `workspace:kind:value`, so resolving an incoming
 * event's userId or anonymousId to its lead is an `_id` lookup.
 */
@Schema({ collection: 'identities', versionKey: false })
export class Identity {
  @Prop({ type: String, required: true })
  _id!: string;

  @Prop({ type: String, required: true })
  workspaceId!: string;

  @Prop({ type: String, required: true, enum: ['user', 'anon'] })
  kind!: IdentityKind;

  @Prop({ type: String, required: true })
  value!: string;

  @Prop({ type: String, required: true, index: true })
  leadId!: string;

  @Prop({ type: Date, required: true })
  createdAt!: Date;
}

export const IdentitySchema = SchemaFactory.createForClass(Identity);
