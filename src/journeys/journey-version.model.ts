import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { Schema as MongooseSchema } from 'mongoose';
import type { JourneyDefinition } from '../../workflows/contracts/journey-definition';

/**
 * A published version, never changed once written. The `_id` is `journeyId:vN`, so two
 * publishes racing for the same number cannot both win.
 */
@Schema({ collection: 'journey_versions', versionKey: false })
export class JourneyVersion {
  @Prop({ type: String, required: true })
  _id!: string;

  @Prop({ type: String, required: true })
  workspaceId!: string;

  @Prop({ type: String, required: true, index: true })
  journeyId!: string;

  @Prop({ type: Number, required: true })
  version!: number;

  @Prop({ type: MongooseSchema.Types.Mixed, required: true })
  definition!: JourneyDefinition;

  @Prop({ type: Date, required: true })
  publishedAt!: Date;
}

export const JourneyVersionSchema = SchemaFactory.createForClass(JourneyVersion);
