import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';

export const taskStatuses = ['open', 'done'] as const;
export type TaskStatus = (typeof taskStatuses)[number];

/** A follow-up a journey asks of the lead's agent; `_id` as for assignments. */
@Schema({ collection: 'tasks', versionKey: false })
export class Task {
  @Prop({ type: String, required: true })
  _id!: string;

  @Prop({ type: String, required: true })
  workspaceId!: string;

  @Prop({ type: String, required: true })
  leadId!: string;

  @Prop({ type: String, required: true })
  title!: string;

  @Prop({ type: Date })
  dueAt?: Date;

  @Prop({ type: String, required: true, enum: taskStatuses })
  status!: TaskStatus;

  /** The lead's agent when the task was created, if it had one. */
  @Prop({ type: String })
  assignedAgentId?: string;

  @Prop({ type: String, required: true })
  journeyId!: string;

  @Prop({ type: String, required: true })
  runId!: string;

  @Prop({ type: String, required: true })
  stepId!: string;

  @Prop({ type: Date, required: true })
  createdAt!: Date;

  @Prop({ type: Date })
  completedAt?: Date;
}

export const TaskSchema = SchemaFactory.createForClass(Task);
TaskSchema.index({ workspaceId: 1, leadId: 1, createdAt: -1 });
