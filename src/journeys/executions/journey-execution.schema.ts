import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { Schema as MongooseSchema } from 'mongoose';
import type { StepRecord } from '../../../workflows/contracts/journey-activities';

export const runStatuses = ['running', 'completed', 'exited', 'failed'] as const;
export type RunStatus = (typeof runStatuses)[number];
export type StepResult = StepRecord['result'];

/** One lead's run through one journey version; `_id` is the run's workflow id. */
@Schema({ collection: 'journey_runs', versionKey: false })
export class JourneyRun {
  @Prop({ type: String, required: true })
  _id!: string;

  @Prop({ type: String, required: true })
  workspaceId!: string;

  @Prop({ type: String, required: true })
  journeyId!: string;

  @Prop({ type: Number, required: true })
  version!: number;

  @Prop({ type: String, required: true })
  leadId!: string;

  @Prop({ type: String, required: true })
  triggerMessageId!: string;

  @Prop({ type: String, required: true })
  triggerType!: string;

  @Prop({ type: String, required: true, enum: runStatuses })
  status!: RunStatus;

  @Prop({ type: Boolean, required: true })
  converted!: boolean;

  @Prop({ type: String })
  exitReason?: string;

  @Prop({ type: Date, required: true })
  enteredAt!: Date;

  @Prop({ type: Date })
  endedAt?: Date;
}

export const JourneyRunSchema = SchemaFactory.createForClass(JourneyRun);
JourneyRunSchema.index({ workspaceId: 1, journeyId: 1, enteredAt: -1, _id: -1 });

/** What one step of a run did; `_id` is `runId:stepId`, so a replayed record is a duplicate. */
@Schema({ collection: 'journey_step_logs', versionKey: false })
export class JourneyStepLog {
  @Prop({ type: String, required: true })
  _id!: string;

  @Prop({ type: String, required: true })
  workspaceId!: string;

  @Prop({ type: String, required: true })
  journeyId!: string;

  @Prop({ type: String, required: true, index: true })
  runId!: string;

  @Prop({ type: String, required: true })
  leadId!: string;

  @Prop({ type: String, required: true })
  stepId!: string;

  @Prop({ type: String, required: true })
  type!: string;

  /** Workflow time the step finished. */
  @Prop({ type: Date, required: true })
  at!: Date;

  /** Wall-clock time of the record; orders steps the workflow finished at the same instant. */
  @Prop({ type: Date, required: true })
  recordedAt!: Date;

  @Prop({ type: String, required: true })
  result!: StepResult;

  @Prop({ type: MongooseSchema.Types.Mixed })
  detail?: Record<string, unknown>;
}

export const JourneyStepLogSchema = SchemaFactory.createForClass(JourneyStepLog);
JourneyStepLogSchema.index({ workspaceId: 1, journeyId: 1, stepId: 1, result: 1 });
