import type { INestApplicationContext } from '@nestjs/common';
import { ApplicationFailure } from '@temporalio/common';
import { randomBytes, randomUUID } from 'node:crypto';
import type { Db } from 'mongodb';
import { createMessagingActivities } from '../../activities/messaging.activities';
import { verifyUnsubscribeToken } from '../../src/messaging/unsubscribe/unsubscribe-token';
import type { StepContext } from '../../workflows/contracts/journey-activities';
import { startTwilioSink, TwilioSink } from '../../tools/twilio-sink/server';
import { headerOf, partOf, SmtpSink, startSmtpSink } from '../support/smtp';

// The activities as the worker builds them, on the real Nest services, against FerretDB,
// a real SMTP server and the Twilio sink through the real twilio SDK.

const WORKSPACE = 'acme';
const PUBLIC_URL = 'https://nudge.test';
const UNSUBSCRIBE_SECRET = 'messaging-activities-secret';
const TWILIO_AUTH_TOKEN = 'messaging-activities-token';
const EMAIL_CAP = 2;
const SMS_CAP = 1;

describe('messaging activities on real services', () => {
  let smtp: SmtpSink;
  let sink: TwilioSink;
  let app: INestApplicationContext;
  let db: Db;
  let sut: ReturnType<typeof createMessagingActivities>;

  beforeAll(async () => {
    smtp = await startSmtpSink({ rejectRecipients: ['gone@example.com'] });
    sink = await startTwilioSink({ authToken: TWILIO_AUTH_TOKEN });
    // Before the app's modules load: Nest's ConfigModule reads the environment on import.
    Object.assign(process.env, {
      SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
      MAIL_FROM: 'Acme <hello@acme.test>',
      TWILIO_API_URL: sink.url,
      TWILIO_AUTH_TOKEN,
      PUBLIC_URL,
      UNSUBSCRIBE_SECRET,
      EMAIL_DAILY_CAP_PER_LEAD: String(EMAIL_CAP),
      SMS_DAILY_CAP_PER_LEAD: String(SMS_CAP),
    });
    const [{ Test }, { ConfigModule }, { DatabaseModule }, { MessagingModule }, { MessagingService }, mongoose] =
      await Promise.all([
        import('@nestjs/testing'),
        import('../../src/config/config.module'),
        import('../../src/database/database.module'),
        import('../../src/messaging/messaging.module'),
        import('../../src/messaging/delivery/messaging.service'),
        import('@nestjs/mongoose'),
      ]);
    const moduleRef = await Test.createTestingModule({
      imports: [ConfigModule, DatabaseModule, MessagingModule],
    }).compile();
    app = await moduleRef.init();
    db = app.get(mongoose.getConnectionToken()).db;
    sut = createMessagingActivities({ messaging: app.get(MessagingService) });
  });

  afterAll(async () => {
    await db?.dropDatabase();
    await app?.close();
    await Promise.all([smtp.close(), sink.close()]);
  });

  const createLead = async (traits: Record<string, unknown>, unsubscribed: Record<string, Date> = {}) => {
    const id = `lead_${randomBytes(12).toString('hex')}`;
    await db
      .collection('leads')
      .insertOne({ _id: id as never, workspaceId: WORKSPACE, traits, tags: [], unsubscribed, createdAt: new Date() });
    return id;
  };
  const leadOf = (id: string) => db.collection('leads').findOne({ _id: id as never });
  const deliveryOf = (deliveryId: string) => db.collection('deliveries').findOne({ _id: deliveryId as never });
  const step = (leadId: string, stepId = 'recovery-email'): StepContext => {
    const runId = `journey-form-abandonment-recovery-${leadId}-${randomUUID().slice(0, 8)}`;
    return {
      key: `${runId}:${stepId}`,
      workspaceId: WORKSPACE,
      leadId,
      journeyId: 'form-abandonment-recovery',
      version: 1,
      runId,
      stepId,
    };
  };
  // With the trigger a journey run passes along.
  const trigger = { type: 'form_abandon', properties: { formId: 'auto-quote', formCompletion: 40 } };
  const email = (leadId: string, stepId?: string) => ({
    ...step(leadId, stepId),
    template: 'form-abandon-recovery',
    trigger,
  });
  const sms = (leadId: string, stepId?: string) => ({ ...step(leadId, stepId), template: 'form-abandon-reminder' });
  const mailsTo = (address: string) => smtp.received.filter((mail) => mail.to.includes(address));
  const textsTo = (phone: string) => sink.messages().filter((message) => message.to === phone);

  describe('sendEmail', () => {
    it('sends once when called twice with the same key, with the one-click headers and both parts', async () => {
      const leadId = await createLead({
        email: 'ann@example.com',
        firstName: 'Ann',
        quoteUrl: 'https://acme.test/quote',
      });
      const input = email(leadId);

      const first = await sut.sendEmail(input);
      const second = await sut.sendEmail(input);

      expect(first).toEqual({
        status: 'sent',
        deliveryId: `${WORKSPACE}:${input.key}`,
        providerId: expect.any(String),
      });
      expect(second).toEqual(first);
      const [mail, ...others] = mailsTo('ann@example.com');
      expect(others).toHaveLength(0);
      expect(headerOf(mail.raw, 'Subject')).toBe('Complete Your Quote');
      expect(headerOf(mail.raw, 'Message-ID')).toBe(first.status === 'sent' && first.providerId);
      expect(headerOf(mail.raw, 'Message-ID')).toMatch(/^<.+@acme\.test>$/);
      expect(headerOf(mail.raw, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
      const link = /^<(.+)>$/.exec(headerOf(mail.raw, 'List-Unsubscribe') ?? '')?.[1] ?? '';
      expect(link).toMatch(/^https:\/\/nudge\.test\/v1\/unsubscribe\?token=[\w-]+\.[\w-]+$/);
      const token = new URL(link).searchParams.get('token') ?? '';
      expect(verifyUnsubscribeToken(UNSUBSCRIBE_SECRET, token)).toEqual({
        workspaceId: WORKSPACE,
        leadId,
        channel: 'email',
      });
      const text = partOf(mail.raw, 'text/plain');
      expect(text).toContain('Hi Ann,');
      expect(text).toContain('Complete your quote: https://acme.test/quote#auto-quote');
      expect(text).toContain(`Unsubscribe: ${link}`);
      expect(partOf(mail.raw, 'text/html')).toContain('href="https://acme.test/quote#auto-quote"');
      expect(await deliveryOf(first.deliveryId)).toMatchObject({
        channel: 'email',
        leadId,
        journeyId: 'form-abandonment-recovery',
        stepId: 'recovery-email',
        to: 'ann@example.com',
        status: 'sent',
        providerId: headerOf(mail.raw, 'Message-ID'),
        attempts: 1,
      });
    });

    it('throws while SMTP is down, so Temporal retries, and the retry sends exactly once with the same Message-ID', async () => {
      const leadId = await createLead({ email: 'bo@example.com' });
      const input = email(leadId);
      const { port } = smtp;
      await smtp.close();

      let error: unknown;
      try {
        error = await sut.sendEmail(input).catch((caught: unknown) => caught);
      } finally {
        smtp = await startSmtpSink({ port, rejectRecipients: ['gone@example.com'] });
      }
      const retried = await sut.sendEmail(input);

      expect(error).toBeInstanceOf(Error);
      expect(error).not.toBeInstanceOf(ApplicationFailure);
      expect((error as Error).message).toMatch(/ECONNREFUSED/);
      expect(retried).toMatchObject({ status: 'sent' });
      expect(mailsTo('bo@example.com')).toHaveLength(1);
      expect(await deliveryOf(retried.deliveryId)).toMatchObject({ status: 'sent', attempts: 2 });
      // The failed attempt held a cap slot; its retry reused it rather than taking a second.
      await sut.sendEmail(email(leadId, 'second-email'));
      expect(await sut.sendEmail(email(leadId, 'third-email'))).toMatchObject({ reason: 'frequency_capped' });
    });

    it('skips with frequency_capped past the cap in 24 hours, across journeys, and counts nothing for the skip', async () => {
      const leadId = await createLead({ email: 'cy@example.com' });
      const sends = [email(leadId, 'a'), email(leadId, 'b'), email(leadId, 'c')];

      const results = [];
      for (const input of sends) results.push(await sut.sendEmail({ ...input, journeyId: `journey-${input.stepId}` }));

      expect(results.map((result) => result.status)).toEqual(['sent', 'sent', 'skipped']);
      expect(results[2]).toEqual({
        status: 'skipped',
        deliveryId: `${WORKSPACE}:${sends[2].key}`,
        reason: 'frequency_capped',
      });
      expect(mailsTo('cy@example.com')).toHaveLength(EMAIL_CAP);
      // A replay of a skipped step stays skipped; a replay of a sent one stays sent.
      expect(await sut.sendEmail(sends[2])).toEqual(results[2]);
      expect(await sut.sendEmail(sends[0])).toEqual(results[0]);
      expect(mailsTo('cy@example.com')).toHaveLength(EMAIL_CAP);
    });

    it('admits exactly the cap when sends to one lead race', async () => {
      const leadId = await createLead({ email: 'race@example.com' });

      const results = await Promise.all(['a', 'b', 'c', 'd', 'e'].map((id) => sut.sendEmail(email(leadId, id))));

      expect(results.filter((result) => result.status === 'sent')).toHaveLength(EMAIL_CAP);
      expect(mailsTo('race@example.com')).toHaveLength(EMAIL_CAP);
    });

    it('takes exactly the cap of slots when many reservations, retries among them, race in one process', async () => {
      const { FrequencyCapsService } = await import('../../src/messaging/delivery/frequency-caps.service');
      const caps = app.get(FrequencyCapsService);
      const leadId = await createLead({ email: 'many@example.com' });
      // 12 deliveries, most of them attempted two or three times at once.
      const keys = Array.from({ length: 30 }, (_, i) => `delivery-${i % 12}`);

      const answers = await Promise.all(keys.map((key) => caps.reserve(WORKSPACE, leadId, 'email', key, new Date())));

      const window = await db.collection('frequency_windows').findOne({ _id: `${WORKSPACE}:${leadId}:email` as never });
      const counted = (window?.sends as Array<{ key: string }>).map((entry) => entry.key);
      expect(new Set(counted).size).toBe(EMAIL_CAP);
      expect(counted).toHaveLength(EMAIL_CAP);
      const admitted = keys.filter((_, i) => answers[i]);
      expect(new Set(admitted)).toEqual(new Set(counted));
      // Every attempt of one delivery got the same answer.
      expect(keys.filter((key, i) => answers[i] !== counted.includes(key))).toEqual([]);
    });

    it('skips a lead unsubscribed from email, a lead without an address, and a lead that does not exist', async () => {
      const unsubscribed = await createLead({ email: 'dee@example.com' }, { email: new Date() });
      const noAddress = await createLead({ firstName: 'Eve', email: 'not an address' });

      const results = await Promise.all([
        sut.sendEmail(email(unsubscribed)),
        sut.sendEmail(email(noAddress)),
        sut.sendEmail(email('lead_000000000000000000000000')),
      ]);

      expect(results.map((result) => result.status === 'skipped' && result.reason)).toEqual([
        'unsubscribed',
        'no_address',
        'no_address',
      ]);
      expect(mailsTo('dee@example.com')).toHaveLength(0);
      expect(await deliveryOf(results[0].deliveryId)).toMatchObject({ status: 'skipped', reason: 'unsubscribed' });
    });

    it('fails without retry when the template does not exist, taking no cap slot', async () => {
      const leadId = await createLead({ email: 'fay@example.com' });

      const error = await sut
        .sendEmail({ ...email(leadId), template: 'no-such-template' })
        .catch((caught: unknown) => caught);

      expect(error).toBeInstanceOf(ApplicationFailure);
      expect(error).toMatchObject({ nonRetryable: true, type: 'TEMPLATE_NOT_FOUND' });
      expect((error as Error).message).toMatch(/email template "no-such-template"/);
      expect(
        await db.collection('frequency_windows').findOne({ _id: `${WORKSPACE}:${leadId}:email` as never }),
      ).toBeNull();
    });

    it('fails without retry when the relay refuses the recipient for good (SMTP 550), giving the slot back', async () => {
      const leadId = await createLead({ email: 'gone@example.com' });

      const error = await sut.sendEmail(email(leadId)).catch((caught: unknown) => caught);

      expect(error).toMatchObject({ nonRetryable: true, type: 'SMTP_REJECTED' });
      const window = await db.collection('frequency_windows').findOne({ _id: `${WORKSPACE}:${leadId}:email` as never });
      expect(window?.sends).toEqual([]);
    });
  });

  describe('sendSms', () => {
    const phone = () => `+1555${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;

    it('texts the rendered template once per key and remembers the number for STOP', async () => {
      const number = phone();
      const leadId = await createLead({ phone: number.replace(/^(\+1)(\d{3})/, '$1 ($2) '), firstName: 'Gus' });
      const input = sms(leadId);

      const first = await sut.sendSms(input);
      const second = await sut.sendSms(input);

      expect(first).toEqual({
        status: 'sent',
        deliveryId: `${WORKSPACE}:${input.key}`,
        providerId: expect.stringMatching(/^SM/),
      });
      expect(second).toEqual(first);
      expect(textsTo(number)).toEqual([
        expect.objectContaining({
          sid: first.status === 'sent' && first.providerId,
          body: 'Hi Gus, your quote is almost done. Reply STOP to opt out.',
        }),
      ]);
      expect(await db.collection('sms_recipients').findOne({ _id: number as never })).toMatchObject({
        leads: [{ workspaceId: WORKSPACE, leadId }],
      });
    });

    it('marks the lead unsubscribed and skips when Twilio answers 21610, without using the cap', async () => {
      const number = phone();
      const leadId = await createLead({ phone: number });
      await fetch(`${sink.url}/sink/inbound`, {
        method: 'POST',
        body: new URLSearchParams({ From: number, Body: 'STOP' }),
      });

      const result = await sut.sendSms(sms(leadId));

      expect(result).toMatchObject({ status: 'skipped', reason: 'unsubscribed' });
      expect((await leadOf(leadId))?.unsubscribed.sms).toBeInstanceOf(Date);
      expect(textsTo(number)).toHaveLength(0);
      const window = await db.collection('frequency_windows').findOne({ _id: `${WORKSPACE}:${leadId}:sms` as never });
      expect(window?.sends).toEqual([]);
    });

    it('skips a lead with no E.164 number, one opted out of SMS, and one past the SMS cap', async () => {
      const capped = await createLead({ phone: phone() });
      const [noPhone, optedOut] = await Promise.all([
        createLead({ phone: '555-1234' }),
        createLead({ phone: phone() }, { sms: new Date() }),
      ]);
      await sut.sendSms(sms(capped, 'first'));

      const results = [
        await sut.sendSms(sms(noPhone)),
        await sut.sendSms(sms(optedOut)),
        await sut.sendSms(sms(capped, 'second')),
      ];

      expect(results.map((result) => result.status === 'skipped' && result.reason)).toEqual([
        'no_address',
        'unsubscribed',
        'frequency_capped',
      ]);
    });
  });
});
