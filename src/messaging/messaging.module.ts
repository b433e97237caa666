import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { LeadsModule } from '../leads/leads.module';
import { DeliveriesRepository } from './deliveries.repository';
import { Delivery, DeliverySchema } from './delivery.model';
import { FrequencyWindow, FrequencyWindowSchema } from './frequency-window.model';
import { SmsRecipient, SmsRecipientSchema } from './sms-recipient.model';
import { EmailService } from './email.service';
import { FrequencyCapsService } from './frequency-caps.service';
import { FrequencyWindowsRepository } from './frequency-windows.repository';
import { MessagingService } from './messaging.service';
import { SmsInboundController } from './sms-inbound.controller';
import { SmsInboundService } from './sms-inbound.service';
import { SmsRecipientsRepository } from './sms-recipients.repository';
import { SmsService } from './sms.service';
import { TemplatesService } from './templates.service';
import { UnsubscribeController } from './unsubscribe.controller';
import { UnsubscribeService } from './unsubscribe.service';

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
