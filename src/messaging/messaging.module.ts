import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { LeadsModule } from '../leads/leads.module';
import { DeliveriesRepository } from './delivery/deliveries.repository';
import { Delivery, DeliverySchema } from './delivery/delivery.model';
import { FrequencyWindow, FrequencyWindowSchema } from './delivery/frequency-window.model';
import { SmsRecipient, SmsRecipientSchema } from './sms/sms-recipient.model';
import { EmailService } from './email/email.service';
import { FrequencyCapsService } from './delivery/frequency-caps.service';
import { FrequencyWindowsRepository } from './delivery/frequency-windows.repository';
import { MessagingService } from './delivery/messaging.service';
import { SmsInboundController } from './sms/sms-inbound.controller';
import { SmsInboundService } from './sms/sms-inbound.service';
import { SmsRecipientsRepository } from './sms/sms-recipients.repository';
import { SmsService } from './sms/sms.service';
import { TemplatesService } from './templates/templates.service';
import { UnsubscribeController } from './unsubscribe/unsubscribe.controller';
import { UnsubscribeService } from './unsubscribe/unsubscribe.service';

/**
 * Email and SMS for journeys: the worker sends through MessagingService (via the messaging
 * activities); the API serves the public unsubscribe link and Twilio's inbound webhook.
 */
@Module({
  imports: [
    MongooseModule.forFeature([
      { name: Delivery.name, schema: DeliverySchema },
      { name: FrequencyWindow.name, schema: FrequencyWindowSchema },
      { name: SmsRecipient.name, schema: SmsRecipientSchema },
    ]),
    LeadsModule,
  ],
  controllers: [UnsubscribeController, SmsInboundController],
  providers: [
    EmailService,
    SmsService,
    TemplatesService,
    DeliveriesRepository,
    FrequencyWindowsRepository,
    FrequencyCapsService,
    SmsRecipientsRepository,
    UnsubscribeService,
    SmsInboundService,
    MessagingService,
  ],
  exports: [EmailService, SmsService, TemplatesService, MessagingService],
})
export class MessagingModule {}
