import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { Schema as MongooseSchema } from 'mongoose';

/**
 * Which leads a phone number was texted as, so an inbound STOP, which carries only the
 * number, finds them. The `_id` is the E.164 number. Not per workspace: every workspace
 * sends from the same Twilio sender, and a STOP to it opts the person out of all of them.
 */
@Schema({ collection: 'sms_recipients', versionKey: false })
export class SmsRecipient {
  @Prop({ type: String, required: true })
  _id!: string;

  @Prop({ type: [MongooseSchema.Types.Mixed], default: [] })
  leads!: Array<{ workspaceId: string; leadId: string }>;

  @Prop({ type: Date, required: true })
  updatedAt!: Date;
}

export const SmsRecipientSchema = SchemaFactory.createForClass(SmsRecipient);
