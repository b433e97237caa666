import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { Schema as MongooseSchema } from 'mongoose';
import type { Criteria } from './criteria/segment-criteria';

export const segmentTypes = ['static', 'dynamic', 'behavioral'] as const;
export type SegmentType = (typeof segmentTypes)[number];
export const segmentStatuses = ['active', 'inactive', 'draft'] as const;
export type SegmentStatus = (typeof segmentStatuses)[number];

export interface SegmentCalculation {
  at: Date;
  durationMs: number;
  evaluated: number;
  entered: number;
  exited: number;
  /** Members once it finished. */
  members: number;
}

/**
 * An audience: a static list of leads, or criteria over their behavior and traits (dynamic
 * and behavioral segments; behavioral ones are the shipped templates' kind). `_id` is
 * `workspaceId:id`, so two workspaces may use one id.
 */
@Schema({ collection: 'segments', versionKey: false, minimize: false })
export class Segment {
  @Prop({ type: String, required: true })
  _id!: string;

  @Prop({ type: String, required: true, index: true })
  workspaceId!: string;

  @Prop({ type: String, required: true })
  name!: string;

  @Prop({ type: String })
  description?: string;

  @Prop({ type: String, required: true, enum: segmentTypes })
  type!: SegmentType;

  @Prop({ type: String, required: true, enum: segmentStatuses })
  status!: SegmentStatus;

  /** For dynamic and behavioral segments. */
  @Prop({ type: MongooseSchema.Types.Mixed })
  criteria?: Criteria;

  /** For static segments: the leads, as listed or imported. */
  @Prop({ type: [String] })
  leadIds?: string[];

  /** Criteria segments: minutes between scheduled recalculations. */
  @Prop({ type: Number })
  recalculateEveryMinutes?: number;

  /** Criteria segments: the key of the criteria whose older events were last folded in (backfilled). */
  @Prop({ type: String })
  backfilledKey?: string;

  /** Criteria segments: the last finished recalculation. */
  @Prop({ type: MongooseSchema.Types.Mixed })
  lastCalculation?: SegmentCalculation;

  @Prop({ type: Boolean, required: true })
  isPublic!: boolean;

  @Prop({ type: [String], required: true })
  tags!: string[];

  @Prop({ type: Date, required: true })
  createdAt!: Date;

  @Prop({ type: Date, required: true })
  updatedAt!: Date;
}

export const SegmentSchema = SchemaFactory.createForClass(Segment);
