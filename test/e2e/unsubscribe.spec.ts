import { randomUUID } from 'node:crypto';
import { AddressInfo, createConnection, createServer, Server } from 'node:net';
import twilio from 'twilio';
import type { MessagingService } from '../../src/messaging/delivery/messaging.service';
import { signUnsubscribeToken } from '../../src/messaging/unsubscribe/unsubscribe-token';
import { startTwilioSink, TwilioSink } from '../../tools/twilio-sink/server';
import { headerOf, SmtpSink, startSmtpSink } from '../support/smtp';
import { useApi } from '../support/tracking';

// Unsubscribing through HTTP as mail clients, people and Twilio do it. The API is reached
// at PUBLIC_URL through a TCP forwarder, as behind a proxy in production: the links in
// emails and the URL Twilio signs both name PUBLIC_URL, not the port the API listens on.

const WORKSPACE = 'dev';
const UNSUBSCRIBE_SECRET = 'e2e-unsubscribe-secret-0123';
const TWILIO_AUTH_TOKEN = 'e2e-twilio-auth-token';

describe('unsubscribe and SMS STOP over HTTP', () => {
  let forwarder: Server;
  let publicUrl: string;
  let smtp: SmtpSink;
  let sink: TwilioSink;

  // Registered before useApi's, so the environment is set when the app's modules load.
  beforeAll(async () => {
    forwarder = createServer((socket) => {
      const upstream = createConnection(Number(new URL(nudge.api.url).port), '127.0.0.1');
      socket.pipe(upstream).pipe(socket);
      socket.on('error', () => upstream.destroy());
      upstream.on('error', () => socket.destroy());
    });
    await new Promise<void>((resolve) => forwarder.listen(0, '127.0.0.1', resolve));
    publicUrl = `http://127.0.0.1:${(forwarder.address() as AddressInfo).port}`;
    smtp = await startSmtpSink();
    sink = await startTwilioSink({ authToken: TWILIO_AUTH_TOKEN, inboundWebhook: `${publicUrl}/v1/sms/inbound` });
    Object.assign(process.env, {
      PUBLIC_URL: publicUrl,
      UNSUBSCRIBE_SECRET,
      SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
      TWILIO_API_URL: sink.url,
      TWILIO_AUTH_TOKEN,
    });
  });
  const nudge = useApi();
  let messaging: MessagingService;
  beforeAll(async () => {
    const { MessagingService } = await import('../../src/messaging/delivery/messaging.service');
    messaging = nudge.api.app.get(MessagingService);
  });
  afterAll(async () => {
    await Promise.all([smtp.close(), sink.close()]);
    await new Promise((resolve) => forwarder.close(resolve));
  });

  const newLead = async (traits: Record<string, unknown>) => {
    const userId = `user-${randomUUID()}`;
    const identified = await nudge.client.post('/v1/identify', { userId, traits, messageId: randomUUID() });
    expect(identified.status).toBe(200);
    return (await profile(userId)).id;
  };
  const profile = async (lead: string) =>
    (await nudge.client.get<{ id: string; unsubscribed: { email?: string; sms?: string } }>(`/v1/leads/${lead}`)).body;
  const tokenFor = (leadId: string) =>
    signUnsubscribeToken(UNSUBSCRIBE_SECRET, { workspaceId: WORKSPACE, leadId, channel: 'email' });
  const step = (leadId: string, template: string) => {
    const runId = `journey-e2e-${leadId}-${randomUUID().slice(0, 8)}`;
    return {
      key: `${runId}:send`,
      workspaceId: WORKSPACE,
      leadId,
      journeyId: 'e2e',
      version: 1,
      runId,
      stepId: 'send',
      template,
    };
  };

  describe('email one-click unsubscribe', () => {
    it('unsubscribes on the one-click POST to the List-Unsubscribe link of a sent email', async () => {
      const email = `${randomUUID()}@example.com`;
      const leadId = await newLead({ email });
      await messaging.sendEmail(step(leadId, 'form-abandon-recovery'));
      const mail = smtp.received.find((received) => received.to.includes(email));
      const link = /^<(.+)>$/.exec(headerOf(mail?.raw ?? '', 'List-Unsubscribe') ?? '')?.[1] ?? '';
      expect(link.startsWith(`${publicUrl}/v1/unsubscribe?token=`)).toBe(true);

      // What RFC 8058 mail clients send.
      const response = await fetch(link, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: 'List-Unsubscribe=One-Click',
      });

      expect(response.status).toBe(200);
      expect(await response.text()).toContain('You will not receive emails from us anymore.');
      expect((await profile(leadId)).unsubscribed.email).toEqual(expect.any(String));
      const next = await messaging.sendEmail(step(leadId, 'form-abandon-recovery'));
      expect(next).toMatchObject({ status: 'skipped', reason: 'unsubscribed' });
    });

    it('shows a confirmation page on GET that changes nothing, whose button POSTs the same link', async () => {
      const leadId = await newLead({ email: `${randomUUID()}@example.com` });
      const url = `${nudge.api.url}/v1/unsubscribe?token=${tokenFor(leadId)}`;

      const page = await fetch(url);
      const html = await page.text();

      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
      expect(page.headers.get('referrer-policy')).toBe('no-referrer');
      expect(html).toContain('<form method="post">');
      expect(html).toContain('<input type="hidden" name="List-Unsubscribe" value="One-Click" />');
      expect((await profile(leadId)).unsubscribed).toEqual({});

      const submitted = await fetch(url, {
        method: 'POST',
        body: new URLSearchParams({ 'List-Unsubscribe': 'One-Click' }),
      });
      expect(submitted.status).toBe(200);
      expect((await profile(leadId)).unsubscribed.email).toEqual(expect.any(String));
    });

    it('answers a repeated unsubscribe with 200 and keeps the first time', async () => {
      const leadId = await newLead({ email: `${randomUUID()}@example.com` });
      const url = `${nudge.api.url}/v1/unsubscribe?token=${tokenFor(leadId)}`;

      await fetch(url, { method: 'POST' });
      const first = (await profile(leadId)).unsubscribed.email;
      const again = await fetch(url, { method: 'POST' });

      expect(again.status).toBe(200);
      expect((await profile(leadId)).unsubscribed.email).toBe(first);
    });

    it.each([
      [
        'forged',
        () =>
          signUnsubscribeToken('not-the-server-secret', { workspaceId: WORKSPACE, leadId: 'lead_x', channel: 'email' }),
      ],
      ['truncated', () => tokenFor('lead_x').slice(0, -4)],
    ])('refuses a %s token with 400 naming token, on GET and POST', async (_kind, token) => {
      const url = `${nudge.api.url}/v1/unsubscribe?token=${token()}`;

      for (const method of ['GET', 'POST']) {
        const response = await fetch(url, { method });
        expect(response.status).toBe(400);
        expect(await response.json()).toMatchObject({
          error: 'VALIDATION_FAILED',
          message: 'token: is not a valid unsubscribe token',
        });
      }
    });

    it('refuses a request without a token with 400 naming token', async () => {
      const response = await fetch(`${nudge.api.url}/v1/unsubscribe`, { method: 'POST' });

      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ message: 'token: is required' });
    });
  });

  describe('inbound SMS webhook', () => {
    const phone = () => `+1555${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;

    it('opts every lead the number was texted as out of SMS when STOP comes through Twilio, signed', async () => {
      const number = phone();
      const [first, second, bystander] = await Promise.all([
        newLead({ phone: number }),
        newLead({ phone: number }),
        newLead({ phone: phone() }),
      ]);
      for (const leadId of [first, second, bystander]) await messaging.sendSms(step(leadId, 'form-abandon-reminder'));

      const forwarded = await fetch(`${sink.url}/sink/inbound`, {
        method: 'POST',
        body: new URLSearchParams({ From: number, Body: 'Stop' }),
      });

      expect(await forwarded.json()).toMatchObject({ webhook: { url: `${publicUrl}/v1/sms/inbound`, status: 200 } });
      expect((await profile(first)).unsubscribed.sms).toEqual(expect.any(String));
      expect((await profile(second)).unsubscribed.sms).toEqual(expect.any(String));
      expect((await profile(bystander)).unsubscribed).toEqual({});
    });

    it('answers with empty TwiML and changes nothing for a message that is not a keyword', async () => {
      const number = phone();
      const leadId = await newLead({ phone: number });
      await messaging.sendSms(step(leadId, 'form-abandon-reminder'));
      const params = { From: number, To: '+15005550006', Body: 'please call me', MessageSid: `SM${'1'.repeat(32)}` };

      const response = await fetch(`${publicUrl}/v1/sms/inbound`, {
        method: 'POST',
        headers: {
          'X-Twilio-Signature': twilio.getExpectedTwilioSignature(
            TWILIO_AUTH_TOKEN,
            `${publicUrl}/v1/sms/inbound`,
            params,
          ),
        },
        body: new URLSearchParams(params),
      });

      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/xml/);
      expect(await response.text()).toBe('<?xml version="1.0" encoding="UTF-8"?><Response/>');
      expect((await profile(leadId)).unsubscribed).toEqual({});
    });

    it('refuses with 403 a webhook signed with another auth token, or not signed', async () => {
      const number = phone();
      const leadId = await newLead({ phone: number });
      await messaging.sendSms(step(leadId, 'form-abandon-reminder'));
      const impostor = await startTwilioSink({
        authToken: 'not-our-token',
        inboundWebhook: `${publicUrl}/v1/sms/inbound`,
      });

      try {
        const forwarded = await fetch(`${impostor.url}/sink/inbound`, {
          method: 'POST',
          body: new URLSearchParams({ From: number, Body: 'STOP' }),
        });
        const unsigned = await fetch(`${publicUrl}/v1/sms/inbound`, {
          method: 'POST',
          body: new URLSearchParams({ From: number, Body: 'STOP' }),
        });

        expect(await forwarded.json()).toMatchObject({ webhook: { status: 403 } });
        expect(unsigned.status).toBe(403);
        expect(await unsigned.json()).toMatchObject({ error: 'TWILIO_SIGNATURE_INVALID' });
        expect((await profile(leadId)).unsubscribed).toEqual({});
      } finally {
        await impostor.close();
      }
    });
  });
});
