import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { Schema as MongooseSchema } from 'mongoose';
import { StepResult } from './journey-run.model';

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
