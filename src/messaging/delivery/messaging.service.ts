import { Inject, Injectable, Logger } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { SendEmailInput, SendResult, SendSmsInput } from '../../../workflows/contracts/journey-activities';
import { AppConfig, ConfigService } from '../../config/config.module';
import { LeadRecord } from '../../leads/leads.repository';
import { LeadsService } from '../../leads/leads.service';
import { DeliveriesRepository, DeliveryBase, DeliveryRecord } from './deliveries.repository';
import { SkipReason } from './delivery.model';
import { EmailService } from '../email/email.service';
import { FrequencyCapsService } from './frequency-caps.service';
import { classifySendError, PermanentSendError } from './send-errors';
import { isUnsubscribedRecipient, SmsService } from '../sms/sms.service';
import { SmsRecipientsRepository } from '../sms/sms-recipients.repository';
import { TemplateContext, TemplatesService } from '../templates/templates.service';
import type { Channel } from '../unsubscribe/unsubscribe-token';
import { UnsubscribeService } from '../unsubscribe/unsubscribe.service';

/** What each channel adds to the common delivery pipeline. */
interface ChannelPlan<M> {
  address(lead: LeadRecord): string | undefined;
  render(context: TemplateContext, lead: LeadRecord): Promise<M>;
  /** Hands the message to the provider: its id, or OPTED_OUT when the provider refuses an opted-out recipient. */
  transmit(to: string, message: M, deliveryId: string, lead: LeadRecord): Promise<string | typeof OPTED_OUT>;
}

const OPTED_OUT = Symbol('opted out');
const MARK_SENT_RETRY_DELAYS_MS = [100, 500, 2_000];

/**
 * The email and SMS steps of journeys: one delivery per step key, frequency caps, opt-outs
 * and templates. The worker's messaging activities call it.
 *
 * Exactly once, nearly: a delivery found `sent` or `skipped` is returned as it was. What
 * remains is the moment between the provider accepting a message and the delivery being
 * marked `sent` (marking is retried in-process for a few seconds): a crash or a database
 * outage longer than that makes the next attempt send again. An email repeats its
 * Message-ID, which lets mailbox providers and our logs see it as one message; Twilio has
 * no idempotency key for messages, so an SMS would arrive twice.
 */
@Injectable()
export class MessagingService {
  private readonly logger = new Logger(MessagingService.name);
  private readonly messageIdDomain: string;

  constructor(
    @Inject(LeadsService) private readonly leads: LeadsService,
    @Inject(DeliveriesRepository) private readonly deliveries: DeliveriesRepository,
    @Inject(FrequencyCapsService) private readonly caps: FrequencyCapsService,
    @Inject(TemplatesService) private readonly templates: TemplatesService,
    @Inject(UnsubscribeService) private readonly unsubscribe: UnsubscribeService,
    @Inject(EmailService) private readonly email: EmailService,
    @Inject(SmsService) private readonly sms: SmsService,
    @Inject(SmsRecipientsRepository) private readonly recipients: SmsRecipientsRepository,
    @Inject(ConfigService) config: AppConfig,
  ) {
    this.messageIdDomain = domainOf(
      config.get('MAIL_FROM', { infer: true }),
      config.get('PUBLIC_URL', { infer: true }),
    );
  }

  /** Sends a journey email once per step key, unless the lead has no address, opted out or is capped. */
  sendEmail(step: SendEmailInput): Promise<SendResult> {
    return this.deliver(step, 'email', {
      address: (lead) => emailAddress(lead.traits?.email),
      render: async (context, lead) => {
        const unsubscribeUrl = this.unsubscribe.link({
          workspaceId: step.workspaceId,
          leadId: lead.id,
          channel: 'email',
        });
        const rendered = await this.templates.render(
          'email',
          step.template,
          { ...context, unsubscribeUrl },
          { subject: step.subject },
        );
        return { ...rendered, unsubscribeUrl };
      },
      transmit: async (to, { unsubscribeUrl, ...content }, deliveryId) => {
        const sent = await this.email.send({
          to,
          ...content,
          messageId: this.messageId(deliveryId),
          // RFC 8058 one-click: mail clients POST `List-Unsubscribe=One-Click` to the link.
          headers: { 'List-Unsubscribe': `<${unsubscribeUrl}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
        });
        return sent.messageId;
      },
    });
  }

  /** Texts a journey SMS once per step key; a recipient who replied STOP to Twilio (21610) is opted out. */
  sendSms(step: SendSmsInput): Promise<SendResult> {
    return this.deliver(step, 'sms', {
      address: (lead) => e164(lead.traits?.phone),
      render: (context) => this.templates.render('sms', step.template, context),
      transmit: async (to, { body }, _deliveryId, lead) => {
        // Before sending, so a STOP arriving right after the text finds the lead.
        await this.recipients.remember(to, { workspaceId: step.workspaceId, leadId: lead.id }, new Date());
        try {
          return (await this.sms.send({ to, body })).sid;
        } catch (error) {
          if (isUnsubscribedRecipient(error)) return OPTED_OUT;
          throw error;
        }
      },
    });
  }

  private async deliver<M>(step: SendSmsInput, channel: Channel, plan: ChannelPlan<M>): Promise<SendResult> {
    const { workspaceId } = step;
    const id = `${workspaceId}:${step.key}`;
    const earlier = await this.deliveries.find(workspaceId, id);
    if (earlier && isFinal(earlier)) return resultOf(earlier);

    const lead = await this.leads.findLeadOrNull(workspaceId, step.leadId);
    // A merged lead lives on under another id: deliveries, caps and opt-outs follow it there.
    const leadId = lead?.id ?? step.leadId;
    const base: DeliveryBase = {
      channel,
      leadId,
      journeyId: step.journeyId,
      runId: step.runId,
      stepId: step.stepId,
      template: step.template,
    };
    const to = lead ? plan.address(lead) : undefined;
    // `slotTaken`: this or an earlier attempt of the step took a cap slot, which a skip gives back.
    const skip = async (reason: SkipReason, slotTaken = Boolean(earlier)): Promise<SendResult> => {
      if (slotTaken) await this.caps.release(workspaceId, leadId, channel, id, new Date());
      await this.deliveries.markSkipped(workspaceId, id, base, reason, to, new Date());
      return { status: 'skipped', deliveryId: id, reason };
    };
    if (!lead || !to) return skip('no_address');
    if (lead.unsubscribed?.[channel]) return skip('unsubscribed');

    // Rendered before taking a slot: a missing template fails the step without using the lead's cap.
    const message = await plan.render(contextOf(step, lead), lead);
    if (!(await this.caps.reserve(workspaceId, leadId, channel, id, new Date())))
      return skip('frequency_capped', false);
    if (!(await this.deliveries.start(workspaceId, id, base, to, new Date()))) {
      return resultOf((await this.deliveries.find(workspaceId, id))!);
    }

    let providerId: string | typeof OPTED_OUT;
    try {
      providerId = await plan.transmit(to, message, id, lead);
    } catch (error) {
      throw await this.failed(workspaceId, id, base, error);
    }
    if (providerId === OPTED_OUT) {
      await this.leads.unsubscribe(workspaceId, leadId, channel);
      return skip('unsubscribed', true);
    }
    await this.markSent(workspaceId, id, base, to, providerId);
    return { status: 'sent', deliveryId: id, providerId };
  }

  /** Records the failure; a permanent one gives its cap slot back, a transient one keeps it for the retry. */
  private async failed(workspaceId: string, id: string, base: DeliveryBase, error: unknown): Promise<Error> {
    const failure = classifySendError(error);
    try {
      await this.deliveries.markFailed(workspaceId, id, base, failure.message, new Date());
      if (failure instanceof PermanentSendError) {
        await this.caps.release(workspaceId, base.leadId, base.channel, id, new Date());
      }
    } catch (bookkeeping) {
      this.logger.warn(`delivery ${id}: could not record the failure: ${(bookkeeping as Error).message}`);
    }
    return failure;
  }

  /** The provider took the message: from here a lost write means a second message, so try hard. */
  private async markSent(workspaceId: string, id: string, base: DeliveryBase, to: string, providerId: string) {
    for (const delay of [...MARK_SENT_RETRY_DELAYS_MS, undefined]) {
      try {
        return await this.deliveries.markSent(workspaceId, id, base, to, providerId, new Date());
      } catch (error) {
        if (delay === undefined) throw error;
        this.logger.warn(
          `delivery ${id} went out as ${providerId} but is not recorded yet: ${(error as Error).message}`,
        );
        await sleep(delay);
      }
    }
  }

  /** `<readable.hash@domain>`: the same for every attempt of a step, unique across steps. */
  private messageId(deliveryId: string): string {
    const readable = deliveryId.replace(/[^A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+/g, '.').replace(/^\.+|\.+$/g, '');
    const hash = createHash('sha256').update(deliveryId).digest('hex').slice(0, 16);
    return `<${readable.slice(0, 150)}.${hash}@${this.messageIdDomain}>`;
  }
}

const isFinal = (delivery: DeliveryRecord) => delivery.status === 'sent' || delivery.status === 'skipped';

function resultOf(delivery: DeliveryRecord): SendResult {
  if (delivery.status === 'sent')
    return { status: 'sent', deliveryId: delivery.id, providerId: delivery.providerId ?? '' };
  return { status: 'skipped', deliveryId: delivery.id, reason: delivery.reason ?? 'no_address' };
}

function contextOf(step: SendSmsInput, lead: LeadRecord): TemplateContext {
  return {
    lead: { id: lead.id, traits: lead.traits ?? {}, tags: lead.tags ?? [] },
    journey: { id: step.journeyId, version: step.version },
    step: { id: step.stepId },
    ...(step.trigger && { trigger: step.trigger }),
  };
}

/** One plain address: no display name, list or header-breaking characters. */
function emailAddress(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const address = value.trim();
  return /^[^\s@<>,;:"()[\]\\]+@[^\s@<>,;:"()[\]\\]+$/.test(address) ? address : undefined;
}

/** An E.164 number, allowing the spaces, dots, dashes and parentheses people type. */
function e164(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const number = value.replace(/[\s().-]/g, '');
  return /^\+[1-9]\d{6,14}$/.test(number) ? number : undefined;
}

/** The sender's domain, for Message-IDs; PUBLIC_URL's host when MAIL_FROM has none. */
function domainOf(mailFrom: string, publicUrl: string): string {
  return /@([A-Za-z0-9.-]+)>?\s*$/.exec(mailFrom)?.[1] ?? new URL(publicUrl).hostname;
}
