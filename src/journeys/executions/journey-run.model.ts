import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
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

  /** `experimentId:variantId` of each experiment step the run passed, for stats per variant. */
  @Prop({ type: [String], default: undefined })
  experimentVariants?: string[];

  @Prop({ type: Date, required: true })
  enteredAt!: Date;

  @Prop({ type: Date })
  endedAt?: Date;
}

export const JourneyRunSchema = SchemaFactory.createForClass(JourneyRun);
JourneyRunSchema.index({ workspaceId: 1, journeyId: 1, enteredAt: -1, _id: -1 });
