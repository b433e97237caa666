import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { Schema as MongooseSchema } from 'mongoose';

/**
 * A sales agent journeys hand leads to. `openAssignments` is kept at write time, and only
 * ever changed in the same single-document update as `openAssignmentIds`, on the condition
 * that the assignment is absent (counting it) or present (uncounting it): a retried or
 * duplicated attempt, in any process, finds it already done.
 */
@Schema({ collection: 'agents', versionKey: false, minimize: false })
export class Agent {
  @Prop({ type: String, required: true })
  _id!: string;

  @Prop({ type: String, required: true })
  workspaceId!: string;

  @Prop({ type: String, required: true })
  name!: string;

  @Prop({ type: String, required: true })
  email!: string;

  @Prop({ type: Boolean, required: true })
  active!: boolean;

  /** What assignment can match leads on, e.g. `{ region: 'north' }`. */
  @Prop({ type: MongooseSchema.Types.Mixed, default: {} })
  traits!: Record<string, unknown>;

  @Prop({ type: Number, default: 0 })
  openAssignments!: number;

  /**
   * The open assignments counted in `openAssignments` (as in the API, without the
   * workspace); never read with the agent, only matched by the updates that keep the count.
   */
  @Prop({ type: [String], default: undefined })
  openAssignmentIds?: string[];

  @Prop({ type: Date })
  lastAssignedAt?: Date;

  @Prop({ type: Date, required: true })
  createdAt!: Date;

  @Prop({ type: Date, required: true })
  updatedAt!: Date;
}

export const AgentSchema = SchemaFactory.createForClass(Agent);
AgentSchema.index({ workspaceId: 1, email: 1 }, { unique: true });
