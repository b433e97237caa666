import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { Schema as MongooseSchema } from 'mongoose';

/** An event a criteria segment keeps for a lead (criteria/kept-events.ts): only what its criteria read. */
export interface KeptEvent {
  /** The stored event's `_id`, so an event added twice is kept once. */
  id: string;
  type: string;
  timestamp: Date;
  properties: Record<string, unknown>;
}

/**
 * One lead's membership of one segment, kept after it leaves: `_id` is
 * `workspaceId:segmentId:leadId`, so every change is a conditional write to a document of
 * its own, exact however many processes change memberships at once. A criteria segment's
 * document also keeps the lead's events its criteria read, so it is evaluated again without
 * reading the events collection.
 */
@Schema({ collection: 'segment_members', versionKey: false })
export class SegmentMember {
  @Prop({ type: String, required: true })
  _id!: string;

  @Prop({ type: String, required: true })
  workspaceId!: string;

  @Prop({ type: String, required: true })
  segmentId!: string;

  @Prop({ type: String, required: true })
  leadId!: string;

  /** In the segment now. */
  @Prop({ type: Boolean, required: true })
  member!: boolean;

  /** When it last entered. */
  @Prop({ type: Date, required: true })
  enteredAt!: Date;

  /** When it last left, if it has. */
  @Prop({ type: Date })
  exitedAt?: Date;

  @Prop({ type: Number, required: true })
  entries!: number;

  /** Criteria segments: the lead's events the criteria can still count, oldest first. */
  @Prop({ type: [MongooseSchema.Types.Mixed] })
  events?: KeptEvent[];

  /** Criteria segments: bumped by every write, which applies only to the `rev` it read. */
  @Prop({ type: Number })
  rev?: number;
}

export const SegmentMemberSchema = SchemaFactory.createForClass(SegmentMember);
SegmentMemberSchema.index({ workspaceId: 1, segmentId: 1, member: 1, enteredAt: -1 });
SegmentMemberSchema.index({ workspaceId: 1, leadId: 1, member: 1 });
