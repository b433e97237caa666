import { Inject, Injectable } from '@nestjs/common';
import twilio from 'twilio';
import { AppConfig, ConfigService } from '../../config/config.module';
import { createTwilioClient } from './twilio-http-client';

export interface OutgoingSms {
  /** E.164 number, e.g. +15551234567. */
  to: string;
  body: string;
  /** Twilio POSTs each status change (sent, delivered, failed…) here, signed with the auth token. */
  statusCallback?: string;
}

export interface SentSms {
  sid: string;
  /** Twilio's status at acceptance, normally `queued`. */
  status: string;
}

const UNSUBSCRIBED_RECIPIENT = 21610;

/** Sends SMS through Twilio, or through the local Twilio sink when TWILIO_API_URL is set. */
@Injectable()
export class SmsService {
  private readonly client: twilio.Twilio;
  private readonly sender: { from: string } | { messagingServiceSid: string };

  constructor(@Inject(ConfigService) config: AppConfig) {
    this.client = createTwilioClient({
      accountSid: config.get('TWILIO_ACCOUNT_SID', { infer: true }),
      authToken: config.get('TWILIO_AUTH_TOKEN', { infer: true }),
      apiUrl: config.get('TWILIO_API_URL', { infer: true }),
    });
    const from = config.get('TWILIO_FROM', { infer: true });
    // Twilio rejects a Messaging Service SID in From; it has a field of its own.
    this.sender = /^MG[0-9a-f]{32}$/i.test(from) ? { messagingServiceSid: from } : { from };
  }

  /** Hands one SMS to Twilio; Twilio's errors propagate as the SDK's RestException. */
  async send({ to, body, statusCallback }: OutgoingSms): Promise<SentSms> {
    const message = await this.client.messages.create({ to, body, statusCallback, ...this.sender });
    return { sid: message.sid, status: message.status };
  }
}

/** True when Twilio refused a send because the recipient replied STOP (error 21610). */
export function isUnsubscribedRecipient(error: unknown): boolean {
  return error instanceof twilio.RestException && error.code === UNSUBSCRIBED_RECIPIENT;
}
