import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { Schema as MongooseSchema } from 'mongoose';
import type { JourneyDefinition } from '../../workflows/contracts/journey-definition';

export const journeyStatuses = ['draft', 'active', 'paused', 'archived'] as const;
export type JourneyStatus = (typeof journeyStatuses)[number];

/** A journey: its editable draft, its lifecycle, and which published version is live. */
@Schema({ collection: 'journeys', versionKey: false })
export class Journey {
  @Prop({ type: String, required: true })
  _id!: string;

  @Prop({ type: String, required: true, index: true })
  workspaceId!: string;

  @Prop({ type: String, required: true, enum: journeyStatuses })
  status!: JourneyStatus;

  @Prop({ type: MongooseSchema.Types.Mixed, required: true })
  draft!: JourneyDefinition;

  /** The live version; absent until the first publish. */
  @Prop({ type: Number })
  publishedVersion?: number;

  @Prop({ type: Date, required: true })
  createdAt!: Date;

  @Prop({ type: Date, required: true })
  updatedAt!: Date;
}

export const JourneySchema = SchemaFactory.createForClass(Journey);
