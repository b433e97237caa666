import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';

export const assignmentStatuses = ['open', 'closed', 'no_agent'] as const;
export type AssignmentStatus = (typeof assignmentStatuses)[number];

/**
 * A lead handed to an agent by a journey step. The `_id` is `workspaceId:runId:stepId`, so a
 * retried step finds its assignment by `_id`. `no_agent` records a step that found nobody.
 */
@Schema({ collection: 'assignments', versionKey: false })
export class Assignment {
  @Prop({ type: String, required: true })
  _id!: string;

  @Prop({ type: String, required: true })
  workspaceId!: string;

  @Prop({ type: String, required: true })
  leadId!: string;

  @Prop({ type: String })
  agentId?: string;

  @Prop({ type: String })
  agentName?: string;

  @Prop({ type: String, required: true })
  journeyId!: string;

  @Prop({ type: String, required: true })
  runId!: string;

  @Prop({ type: String, required: true })
  stepId!: string;

  @Prop({ type: String })
  reason?: string;

  @Prop({ type: String, required: true, enum: assignmentStatuses })
  status!: AssignmentStatus;

  /**
   * False until the lead's trait names the agent (and the agent counts the assignment,
   * which choosing it normally did already); a retry after a crash in between finishes
   * the job instead of skipping it.
   */
  @Prop({ type: Boolean, required: true })
  applied!: boolean;

  @Prop({ type: Date, required: true })
  createdAt!: Date;

  @Prop({ type: Date })
  closedAt?: Date;
}

export const AssignmentSchema = SchemaFactory.createForClass(Assignment);
AssignmentSchema.index({ workspaceId: 1, agentId: 1, status: 1 });
AssignmentSchema.index({ workspaceId: 1, leadId: 1, createdAt: -1 });
