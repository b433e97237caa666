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
