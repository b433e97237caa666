import { HttpStatus, Inject, Injectable, Logger } from '@nestjs/common';
import twilio from 'twilio';
import { z } from 'zod';
import { AppError } from '../../common/app-error';
import { parseRequest } from '../../common/validation';
import { AppConfig, ConfigService } from '../../config/config.module';
import { LeadsService } from '../../leads/leads.service';
import { SmsRecipientsRepository } from './sms-recipients.repository';
import { MessagingErrorCode } from '../messaging-errors';

/** Twilio's default opt-out and opt-in keywords; Twilio matches only the whole message, in any case. */
const OPT_OUT = new Set(['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT']);
const OPT_IN = new Set(['START', 'UNSTOP', 'YES']);

export function smsKeyword(body: string): 'opt-out' | 'opt-in' | undefined {
  const keyword = body.trim().toUpperCase();
  if (OPT_OUT.has(keyword)) return 'opt-out';
  if (OPT_IN.has(keyword)) return 'opt-in';
  return undefined;
}

/** An empty TwiML answer: Twilio itself sends the carrier-required STOP confirmation. */
export const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>';

const inboundSchema = z.object({ From: z.string().min(1), Body: z.string().default('') });

/** Inbound texts from Twilio's messaging webhook. */
@Injectable()
export class SmsInboundService {
  private readonly logger = new Logger(SmsInboundService.name);
  private readonly authToken: string;
  private readonly publicUrl: string;

  constructor(
    @Inject(SmsRecipientsRepository) private readonly recipients: SmsRecipientsRepository,
    @Inject(LeadsService) private readonly leads: LeadsService,
    @Inject(ConfigService) config: AppConfig,
  ) {
    this.authToken = config.get('TWILIO_AUTH_TOKEN', { infer: true });
    this.publicUrl = config.get('PUBLIC_URL', { infer: true }).replace(/\/+$/, '');
  }

  /**
   * Verifies Twilio's signature over the URL Twilio was configured with (PUBLIC_URL plus
   * the path it asked for) and the form fields, then applies an opt-out keyword to every
   * lead the number was texted as. START is only logged: an opt-out recorded on a lead is
   * lifted by the CRM, which knows whether the person consented again; Twilio lifts its
   * own block on START by itself.
   */
  async receive(pathAndQuery: string, signature: string | undefined, body: unknown): Promise<string> {
    const params = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
    if (!signature || !twilio.validateRequest(this.authToken, signature, `${this.publicUrl}${pathAndQuery}`, params)) {
      throw new AppError(
        MessagingErrorCode.TwilioSignatureInvalid,
        HttpStatus.FORBIDDEN,
        'X-Twilio-Signature does not match',
      );
    }
    const { From: from, Body: text } = parseRequest(inboundSchema, params);
    const action = smsKeyword(text);
    if (action === 'opt-out') await this.optOut(from);
    if (action === 'opt-in')
      this.logger.log(`${from} texted ${text.trim()}; leads stay opted out until the CRM says so`);
    return EMPTY_TWIML;
  }

  private async optOut(phone: string): Promise<void> {
    const leads = await this.recipients.leadsOf(phone);
    for (const { workspaceId, leadId } of leads) await this.leads.unsubscribe(workspaceId, leadId, 'sms');
    this.logger.log(`${phone} opted out of SMS: ${leads.length} lead(s)`);
  }
}
