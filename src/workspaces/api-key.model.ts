import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';

export type ApiKeyKind = 'write' | 'secret';

/**
 * An API key, stored only as its SHA-256 so a leaked database leaks no key. The hash is
 * the `_id`, which makes authenticating a request a single `_id` lookup.
 */
@Schema({ collection: 'api_keys', versionKey: false })
export class ApiKey {
  @Prop({ type: String, required: true })
  _id!: string;

  @Prop({ type: String, required: true })
  workspaceId!: string;

  @Prop({ type: String, required: true, enum: ['write', 'secret'] })
  kind!: ApiKeyKind;

  /** The source a write key stands for (a site, an app); events dedupe per source. */
  @Prop({ type: String, required: true })
  sourceId!: string;

  @Prop({ type: Date, required: true })
  createdAt!: Date;
}

export const ApiKeySchema = SchemaFactory.createForClass(ApiKey);
