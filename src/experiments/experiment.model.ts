import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { Schema as MongooseSchema } from 'mongoose';
import type { AnalysisSummary, LifecycleReason } from '../../workflows/contracts/experiment.contract';
import type { Criteria } from '../segments/criteria/segment-criteria';

export const experimentTypes = ['content', 'journey'] as const;
export type ExperimentType = (typeof experimentTypes)[number];
export const experimentStatuses = ['draft', 'scheduled', 'running', 'paused', 'completed'] as const;
export type ExperimentStatus = (typeof experimentStatuses)[number];
export const allocationMethods = ['random', 'segment', 'behavior'] as const;
export type AllocationMethod = (typeof allocationMethods)[number];
export const multipleTestingCorrections = ['holm', 'benjamini-hochberg', 'none'] as const;

export interface Variant {
  id: string;
  name: string;
  description?: string;
  /** Share of the covered leads, the weights summing to 1. */
  weight: number;
  content: Record<string, unknown>;
  isControl: boolean;
}

/**
 * What a variant is judged on, from a lead's events after its first exposure:
 * `conversion` (did `event` happen within `windowHours`), `count` (how many), `value` (the sum
 * of a numeric `property`, such as an order's revenue).
 */
export interface Metric {
  id: string;
  kind: 'conversion' | 'count' | 'value';
  event: string;
  property?: string;
  windowHours?: number;
}

/** Who may enter: everyone covered, members of segments, or leads whose rollups meet criteria. */
export interface Allocation {
  method: AllocationMethod;
  segments?: string[];
  criteria?: Criteria;
}

export interface ExperimentSettings {
  significance: number;
  minSamplePerVariant: number;
  durationDays: number;
  /** How often the lifecycle workflow analyses the results while it runs. */
  analyseEveryMinutes: number;
  correction: (typeof multipleTestingCorrections)[number];
}

/** An experiment; `_id` is `workspaceId:id`. Its leads' variants are in experiment_assignments. */
@Schema({ collection: 'experiments', versionKey: false, minimize: false })
export class Experiment {
  @Prop({ type: String, required: true })
  _id!: string;

  @Prop({ type: String, required: true, index: true })
  workspaceId!: string;

  @Prop({ type: String, required: true })
  name!: string;

  @Prop({ type: String })
  description?: string;

  @Prop({ type: String })
  hypothesis?: string;

  @Prop({ type: String, required: true, enum: experimentTypes })
  type!: ExperimentType;

  @Prop({ type: String, required: true, enum: experimentStatuses })
  status!: ExperimentStatus;

  /** Hashed with each lead id; the experiment's id unless set, so its split is reproducible. */
  @Prop({ type: String, required: true })
  seed!: string;

  /** Share of eligible leads that enter, 0–1; raising it moves nobody between variants. */
  @Prop({ type: Number, required: true })
  coverage!: number;

  @Prop({ type: MongooseSchema.Types.Mixed, required: true })
  variants!: Variant[];

  @Prop({ type: MongooseSchema.Types.Mixed, required: true })
  allocation!: Allocation;

  /** Mutually exclusive experiments share a layer, each owning a disjoint [start, end) of it. */
  @Prop({ type: MongooseSchema.Types.Mixed })
  layer?: { id: string; start: number; end: number };

  @Prop({ type: MongooseSchema.Types.Mixed, required: true })
  primaryMetric!: Metric;

  @Prop({ type: MongooseSchema.Types.Mixed, required: true })
  guardrailMetrics!: Metric[];

  @Prop({ type: MongooseSchema.Types.Mixed, required: true })
  settings!: ExperimentSettings;

  @Prop({ type: Date })
  startAt?: Date;

  @Prop({ type: Date })
  endAt?: Date;

  /** Why the lifecycle workflow last moved the status (started, srm, stopped_early, ended). */
  @Prop({ type: String })
  statusReason?: LifecycleReason;

  /** The lifecycle workflow's latest analysis. */
  @Prop({ type: MongooseSchema.Types.Mixed })
  lastAnalysis?: AnalysisSummary;

  /** Set when concluded: every lead then gets this variant, with no exposure recorded. */
  @Prop({ type: String })
  winnerVariantId?: string;

  @Prop({ type: [String], required: true })
  tags!: string[];

  @Prop({ type: Date, required: true })
  createdAt!: Date;

  @Prop({ type: Date, required: true })
  updatedAt!: Date;
}

export const ExperimentSchema = SchemaFactory.createForClass(Experiment);

/**
 * A lead's variant in an experiment, written once: `_id` `workspace:experiment:lead`, so
 * concurrent first requests on several API processes agree on the first insert. The
 * exposure event is owed until recorded, so a crash between the two records it next time.
 */
@Schema({ collection: 'experiment_assignments', versionKey: false })
export class ExperimentAssignment {
  @Prop({ type: String, required: true })
  _id!: string;

  @Prop({ type: String, required: true })
  workspaceId!: string;

  @Prop({ type: String, required: true })
  experimentId!: string;

  @Prop({ type: String, required: true })
  leadId!: string;

  @Prop({ type: String, required: true })
  variantId!: string;

  @Prop({ type: Date, required: true })
  assignedAt!: Date;

  @Prop({ type: Boolean, required: true })
  exposureOwed!: boolean;
}

export const ExperimentAssignmentSchema = SchemaFactory.createForClass(ExperimentAssignment);
ExperimentAssignmentSchema.index({ workspaceId: 1, experimentId: 1, variantId: 1 });
