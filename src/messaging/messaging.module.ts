import { Module } from '@nestjs/common';
import { EmailService } from './email.service';
import { SmsService } from './sms.service';

/** Outbound channels. Journeys reach them only through activities, never from the API. */
@Module({
  providers: [EmailService, SmsService],
  exports: [EmailService, SmsService],
})
export class MessagingModule {}
