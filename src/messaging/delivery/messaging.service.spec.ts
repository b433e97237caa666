import { ConfigService } from '@nestjs/config';
import { validateEnv } from '../../config/env.schema';
import type { LeadRecord } from '../../leads/leads.repository';
import type { DeliveriesRepository, DeliveryBase, DeliveryRecord } from './deliveries.repository';
import type { FrequencyCapsService } from './frequency-caps.service';
import type { SendEmailInput } from '../../../workflows/contracts/journey-activities';
import { MessagingService } from './messaging.service';
import { PermanentSendError } from './send-errors';

/** Deliveries as DeliveriesRepository keeps them, in memory: `start` refuses a final one. */
class FakeDeliveries {
  readonly byId = new Map<string, DeliveryRecord>();
  failNextMarkSent = 0;

  find = (_: string, id: string) => Promise.resolve(this.byId.get(id) ?? null);
  start = (workspaceId: string, id: string, base: DeliveryBase, to: string) => {
    const current = this.byId.get(id);
    if (current && ['sent', 'skipped'].includes(current.status)) return Promise.resolve(false);
    this.save(workspaceId, id, base, { status: 'sending', to, attempts: (current?.attempts ?? 0) + 1 });
    return Promise.resolve(true);
  };
  markSent = (workspaceId: string, id: string, base: DeliveryBase, to: string, providerId: string) => {
    if (this.failNextMarkSent-- > 0) return Promise.reject(new Error('connection reset'));
    return Promise.resolve(this.save(workspaceId, id, base, { status: 'sent', to, providerId }));
  };
  markSkipped = (workspaceId: string, id: string, base: DeliveryBase, reason: DeliveryRecord['reason']) =>
    Promise.resolve(this.save(workspaceId, id, base, { status: 'skipped', reason }));
  markFailed = (workspaceId: string, id: string, base: DeliveryBase, lastError: string) =>
    Promise.resolve(this.save(workspaceId, id, base, { status: 'failed', lastError }));

  private save(workspaceId: string, id: string, base: DeliveryBase, change: Partial<DeliveryRecord>) {
    const current = this.byId.get(id) ?? ({ id, workspaceId, ...base, attempts: 0 } as DeliveryRecord);
    this.byId.set(id, { ...current, ...change });
  }
}

/** Caps of `limit` sends per lead and channel, by step key, as FrequencyCapsService keeps them. */
class FakeCaps {
  readonly slots = new Set<string>();
  constructor(private readonly limit: number) {}

  reserve = (_: string, leadId: string, channel: string, key: string) => {
    if (this.slots.has(key)) return Promise.resolve(true);
    if ([...this.slots].length >= this.limit) return Promise.resolve(false);
    this.slots.add(key);
    return Promise.resolve(true);
  };
  release = (_: string, _lead: string, _channel: string, key: string) => Promise.resolve(void this.slots.delete(key));
}

const ada: LeadRecord = {
  id: 'lead_ada',
  workspaceId: 'ws',
  traits: { email: 'ada@example.com', phone: '+44 20 7946 0000' },
  tags: [],
} as unknown as LeadRecord;

function setUp({ lead = ada, capLimit = 10 }: { lead?: LeadRecord | null; capLimit?: number } = {}) {
  const deliveries = new FakeDeliveries();
  const caps = new FakeCaps(capLimit);
  const sent: Array<{ to: string; subject: string; messageId: string; headers: Record<string, string> }> = [];
  const texts: Array<{ to: string; body: string }> = [];
  const unsubscribed: string[] = [];
  const email = { failures: [] as Error[] };
  const leads = {
    findLeadOrNull: () => Promise.resolve(lead),
    unsubscribe: (_: string, leadId: string, channel: string) =>
      Promise.resolve(!!unsubscribed.push(`${leadId}:${channel}`)),
  };
  const templates = {
    render: (channel: string, name: string, context: { lead: { traits: Record<string, unknown> } }) =>
      Promise.resolve(
        channel === 'email'
          ? { subject: `${name} for ${String(context.lead.traits.email)}`, html: '<p>hi</p>', text: 'hi' }
          : { body: `${name} text` },
      ),
  };
  const sut = new MessagingService(
    leads as never,
    deliveries as unknown as DeliveriesRepository,
    caps as unknown as FrequencyCapsService,
    templates as never,
    { link: () => 'http://localhost:3000/v1/unsubscribe?token=t' } as never,
    {
      send: (message: (typeof sent)[number]) => {
        const failure = email.failures.shift();
        if (failure) return Promise.reject(failure);
        sent.push(message);
        return Promise.resolve({ messageId: message.messageId });
      },
    } as never,
    { send: (text: { to: string; body: string }) => Promise.resolve({ sid: `SM${texts.push(text)}` }) } as never,
    { remember: () => Promise.resolve() } as never,
    new ConfigService(validateEnv({ MAIL_FROM: 'Nudge <hello@nudge.test>' })) as never,
  );
  return { sut, deliveries, caps, sent, texts, unsubscribed, email };
}

const step = (stepId = 'email-1'): SendEmailInput => ({
  key: `run-1:${stepId}`,
  workspaceId: 'ws',
  journeyId: 'recovery',
  version: 1,
  runId: 'run-1',
  leadId: 'lead_ada',
  stepId,
  template: 'form-reminder',
});

describe('MessagingService (fake repositories and transports)', () => {
  it('sends an email once per step key, with a stable Message-ID and one-click unsubscribe', async () => {
    const { sut, sent, deliveries } = setUp();

    const first = await sut.sendEmail(step());
    const again = await sut.sendEmail(step());

    expect(first).toEqual({ status: 'sent', deliveryId: 'ws:run-1:email-1', providerId: sent[0].messageId });
    expect(again).toEqual(first);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ to: 'ada@example.com', subject: 'form-reminder for ada@example.com' });
    expect(sent[0].messageId).toMatch(/^<ws\.run-1\.email-1\.[0-9a-f]{16}@nudge\.test>$/);
    expect(sent[0].headers).toEqual({
      'List-Unsubscribe': '<http://localhost:3000/v1/unsubscribe?token=t>',
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    });
    expect(deliveries.byId.get('ws:run-1:email-1')).toMatchObject({ status: 'sent', attempts: 1 });
  });

  it.each([
    ['has no usable address', { ...ada, traits: { email: 'Ada <ada@example.com>' } }, 'no_address'],
    ['never existed', null, 'no_address'],
    ['opted out', { ...ada, unsubscribed: { email: new Date() } }, 'unsubscribed'],
  ])('skips a lead that %s without sending or using its cap', async (_, lead, reason) => {
    const { sut, sent, caps } = setUp({ lead: lead as LeadRecord | null });

    expect(await sut.sendEmail(step())).toEqual({ status: 'skipped', deliveryId: 'ws:run-1:email-1', reason });
    expect(sent).toHaveLength(0);
    expect(caps.slots.size).toBe(0);
  });

  it('skips a capped send and keeps the slots of the sends before it', async () => {
    const { sut, sent, caps } = setUp({ capLimit: 1 });

    await sut.sendEmail(step('email-1'));
    const capped = await sut.sendEmail(step('email-2'));

    expect(capped).toMatchObject({ status: 'skipped', reason: 'frequency_capped' });
    expect(sent.map(({ subject }) => subject)).toHaveLength(1);
    expect([...caps.slots]).toEqual(['ws:run-1:email-1']);
  });

  it('keeps the cap slot through a transient failure, and the retry sends once', async () => {
    const { sut, sent, caps, deliveries, email } = setUp();
    email.failures.push(Object.assign(new Error('greeting never received'), { code: 'ETIMEDOUT' }));

    await expect(sut.sendEmail(step())).rejects.toThrow('greeting never received');
    expect(deliveries.byId.get('ws:run-1:email-1')).toMatchObject({ status: 'failed' });
    expect(caps.slots.has('ws:run-1:email-1')).toBe(true);

    expect(await sut.sendEmail(step())).toMatchObject({ status: 'sent' });
    expect(sent).toHaveLength(1);
    expect(deliveries.byId.get('ws:run-1:email-1')).toMatchObject({ status: 'sent', attempts: 2 });
  });

  it('fails a permanently refused email at once and gives its cap slot back', async () => {
    const { sut, caps, deliveries, email } = setUp();
    email.failures.push(Object.assign(new Error('mailbox unavailable'), { responseCode: 550 }));

    const failure = await sut.sendEmail(step()).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(PermanentSendError);
    expect(caps.slots.size).toBe(0);
    expect(deliveries.byId.get('ws:run-1:email-1')).toMatchObject({
      status: 'failed',
      lastError: expect.stringMatching(/550/),
    });
  });

  it('retries recording a sent message rather than sending it again', async () => {
    const { sut, sent, deliveries } = setUp();
    deliveries.failNextMarkSent = 2;

    expect(await sut.sendEmail(step())).toMatchObject({ status: 'sent' });
    expect(sent).toHaveLength(1);
    expect(deliveries.byId.get('ws:run-1:email-1')).toMatchObject({ status: 'sent' });
  });

  it('texts the E.164 form of the number people typed', async () => {
    const { sut, texts } = setUp();

    expect(await sut.sendSms({ ...step('sms-1'), template: 'reminder' })).toEqual({
      status: 'sent',
      deliveryId: 'ws:run-1:sms-1',
      providerId: 'SM1',
    });
    expect(texts).toEqual([{ to: '+442079460000', body: 'reminder text' }]);
  });
});
