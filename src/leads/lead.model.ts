import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { Schema as MongooseSchema } from 'mongoose';

/** Where a lead is in its current session; sessions end after 30 minutes of inactivity. */
export interface SessionState {
  id: string;
  startedAt: Date;
  lastEventAt: Date;
}

/**
 * A person, known by one or more identities. Rollups are kept at write time with `$inc`
 * upserts, so reading a profile never aggregates events (FerretDB lacks most of `$group`).
 * Event-type keys are escaped with encodeKey (field-keys.ts).
 */
@Schema({ collection: 'leads', versionKey: false, minimize: false })
export class Lead {
  @Prop({ type: String, required: true })
  _id!: string;

  @Prop({ type: String, required: true, index: true })
  workspaceId!: string;

  @Prop({ type: [String], default: [] })
  userIds!: string[];

  @Prop({ type: [String], default: [] })
  anonymousIds!: string[];

  @Prop({ type: MongooseSchema.Types.Mixed, default: {} })
  traits!: Record<string, unknown>;

  /** Labels set by journeys (`update_lead` steps) and by CRM teams. */
  @Prop({ type: [String], default: [] })
  tags!: string[];

  /** When the lead opted out of each channel (one-click unsubscribe, SMS STOP, Twilio 21610). */
  @Prop({ type: MongooseSchema.Types.Mixed, default: {} })
  unsubscribed!: { email?: Date; sms?: Date };

  @Prop({ type: MongooseSchema.Types.Mixed, default: {} })
  groups!: Record<string, Record<string, unknown>>;

  @Prop({ type: Date })
  firstSeenAt?: Date;

  @Prop({ type: Date })
  lastSeenAt?: Date;

  @Prop({ type: Number, default: 0 })
  eventCount!: number;

  @Prop({ type: MongooseSchema.Types.Mixed, default: {} })
  countsByType!: Record<string, number>;

  /** `daily[YYYY-MM-DD][eventType]`: counts per UTC day and type, for "3 visits in 7 days". */
  @Prop({ type: MongooseSchema.Types.Mixed, default: {} })
  daily!: Record<string, Record<string, number>>;

  @Prop({ type: Number, default: 0 })
  valueSum!: number;

  @Prop({ type: MongooseSchema.Types.Mixed, default: {} })
  valueByType!: Record<string, number>;

  @Prop({ type: Number, default: 0 })
  sessionCount!: number;

  @Prop({ type: Number, default: 0 })
  sessionDurationMs!: number;

  @Prop({ type: MongooseSchema.Types.Mixed })
  session?: SessionState;

  /** Bumped by every rollup write: the compare-and-set that keeps sessions and rollups exact across API processes. */
  @Prop({ type: Number })
  rev?: number;

  /**
   * The last 32 rollup keys applied, oldest first, space-separated (leads written before kept
   * an object of ring slots): a retried batch whose events were stored but whose rollup was
   * lost is rolled up once, never twice.
   */
  @Prop({ type: MongooseSchema.Types.Mixed })
  rollupKeys?: string | Record<string, string>;

  /** Anonymous leads folded into this one; their events still carry their old lead id. */
  @Prop({ type: [String], default: [] })
  mergedLeadIds!: string[];

  /** Set on a lead that was folded into another: where it lives now. */
  @Prop({ type: String })
  mergedInto?: string;

  @Prop({ type: Date, required: true })
  createdAt!: Date;

  @Prop({ type: Date })
  updatedAt?: Date;
}

export const LeadSchema = SchemaFactory.createForClass(Lead);
