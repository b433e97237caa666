import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import twilio from 'twilio';
import { ConfigService } from '../../src/config/config.module';
import { validateEnv } from '../../src/config/env.schema';
import { isUnsubscribedRecipient, SmsService } from '../../src/messaging/sms/sms.service';
import { createTwilioClient } from '../../src/messaging/sms/twilio-http-client';
import { startTwilioSink, TwilioSink } from '../../tools/twilio-sink/server';

// The real twilio SDK, end to end against the in-process sink: nothing here is stubbed.

const accountSid = `AC${'1'.repeat(32)}`;
const authToken = 'sink-test-token';
const from = '+15005550006';
const lead = '+15551230001';

interface ReceivedCallback {
  url: string;
  signature: string | undefined;
  params: Record<string, string>;
}

describe('SmsService against the Twilio sink', () => {
  let sink: TwilioSink;
  const warnings: string[] = [];

  const smsService = (overrides: Record<string, string> = {}) =>
    new SmsService(
      new ConfigService(
        validateEnv({
          TWILIO_ACCOUNT_SID: accountSid,
          TWILIO_AUTH_TOKEN: authToken,
          TWILIO_FROM: from,
          TWILIO_API_URL: sink.url,
          ...overrides,
        }),
      ),
    );

  const inbound = (fromNumber: string, body: string) =>
    fetch(`${sink.url}/sink/inbound`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ From: fromNumber, Body: body }),
    });

  // Straight to the wire, for what the SDK would refuse to send or would hide.
  const postMessage = (form: Record<string, string>, pathAccountSid = accountSid) =>
    fetch(`${sink.url}/2010-04-01/Accounts/${pathAccountSid}/Messages.json`, {
      method: 'POST',
      headers: { Authorization: `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}` },
      body: new URLSearchParams(form),
    });

  beforeAll(async () => {
    sink = await startTwilioSink({ port: 0, authToken, warn: (message) => warnings.push(message) });
  });

  afterAll(() => sink.close());

  beforeEach(async () => {
    await fetch(`${sink.url}/sink/messages`, { method: 'DELETE' });
    warnings.length = 0;
  });

  it('delivers an SMS to the sink and returns its Twilio sid', async () => {
    const sut = smsService();

    const sent = await sut.send({ to: lead, body: 'Your cart misses you' });

    expect(sent.sid).toMatch(/^SM[0-9a-f]{32}$/);
    expect(sent.status).toBe('queued');
    expect(sink.messages()).toEqual([
      expect.objectContaining({ sid: sent.sid, to: lead, from, body: 'Your cart misses you' }),
    ]);
  });

  it('sends from a Messaging Service when TWILIO_FROM is one', async () => {
    const messagingServiceSid = `MG${'3'.repeat(32)}`;

    await smsService({ TWILIO_FROM: messagingServiceSid }).send({ to: lead, body: 'Pooled' });

    expect(sink.messages()).toEqual([expect.objectContaining({ messagingServiceSid, from: null })]);
  });

  it('refuses a recipient who replied STOP, and sends again after START', async () => {
    const sut = smsService();
    expect((await inbound(lead, 'stop')).status).toBe(200);

    const error = await sut.send({ to: lead, body: 'Still there?' }).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(twilio.RestException);
    expect(error).toMatchObject({
      code: 21610,
      status: 400,
      message: 'Attempt to send to unsubscribed recipient',
      moreInfo: 'https://www.twilio.com/docs/errors/21610',
    });
    expect(isUnsubscribedRecipient(error)).toBe(true);
    expect(sink.messages()).toHaveLength(0);

    await inbound(lead, 'START');
    await expect(sut.send({ to: lead, body: 'Welcome back' })).resolves.toMatchObject({ status: 'queued' });
    expect(sink.messages().map((message) => message.body)).toEqual(['Welcome back']);
  });

  it.each(['STOP', 'stopall', 'Unsubscribe', 'CANCEL', 'end', ' QUIT '])(
    'opts out on %j, only the number that sent it',
    async (keyword) => {
      const sut = smsService();
      await inbound('+15559990000', keyword);

      await expect(sut.send({ to: '+15559990000', body: 'Hi' })).rejects.toMatchObject({ code: 21610 });
      await expect(sut.send({ to: lead, body: 'Hi' })).resolves.toMatchObject({ status: 'queued' });
    },
  );

  it.each(['UNSTOP', 'yes'])('opts back in on %j', async (keyword) => {
    await inbound(lead, 'STOP');
    await inbound(lead, keyword);

    await expect(smsService().send({ to: lead, body: 'Hi' })).resolves.toMatchObject({ status: 'queued' });
  });

  it('ignores an inbound message that is not a keyword', async () => {
    await inbound(lead, 'please stop sending me these');

    await expect(smsService().send({ to: lead, body: 'Hi' })).resolves.toMatchObject({ status: 'queued' });
  });

  it('posts sent then delivered to the status callback, signed so twilio.validateRequest accepts it', async () => {
    const receiver = await startCallbackReceiver();
    try {
      const statusCallback = `${receiver.origin}/webhooks/sms-status?lead=42`;

      const sent = await smsService().send({ to: lead, body: 'Track me', statusCallback });
      const callbacks = await eventually(
        () => receiver.received,
        (all) => all.length >= 2,
      );

      expect(callbacks.map((callback) => callback.params.MessageStatus)).toEqual(['sent', 'delivered']);
      for (const callback of callbacks) {
        expect(callback.url).toBe(statusCallback);
        expect(callback.params).toMatchObject({
          MessageSid: sent.sid,
          SmsSid: sent.sid,
          AccountSid: accountSid,
          From: from,
          To: lead,
        });
        expect(twilio.validateRequest(authToken, callback.signature ?? '', callback.url, callback.params)).toBe(true);
      }
    } finally {
      await receiver.close();
    }
  });

  it('keeps sending when a status callback cannot be reached, and says so', async () => {
    const sut = smsService();

    await sut.send({ to: lead, body: 'First', statusCallback: 'http://127.0.0.1:1/unreachable' });
    await expect(sut.send({ to: lead, body: 'Second' })).resolves.toMatchObject({ status: 'queued' });

    // One failed attempt per status change, each reported and none fatal.
    expect(
      await eventually(
        () => warnings,
        (all) => all.length >= 2,
      ),
    ).toEqual([
      expect.stringContaining('http://127.0.0.1:1/unreachable failed'),
      expect.stringContaining('http://127.0.0.1:1/unreachable failed'),
    ]);
  });

  it('rejects a wrong auth token with HTTP 401', async () => {
    const error = await smsService({ TWILIO_AUTH_TOKEN: 'wrong' })
      .send({ to: lead, body: 'Hi' })
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(twilio.RestException);
    expect(error).toMatchObject({ status: 401, code: 20003 });
    expect(isUnsubscribedRecipient(error)).toBe(false);
    expect(sink.messages()).toHaveLength(0);
  });

  it('lets the SDK fetch a sent message back, parsed into a MessageInstance', async () => {
    const sent = await smsService().send({ to: lead, body: 'Fetch me' });
    const client = createTwilioClient({ accountSid, authToken, apiUrl: sink.url });

    const message = await client.messages(sent.sid).fetch();

    expect(message).toMatchObject({
      sid: sent.sid,
      to: lead,
      from,
      body: 'Fetch me',
      direction: 'outbound-api',
      numSegments: '1',
    });
    expect(message.dateCreated).toBeInstanceOf(Date);
    expect(message.status).toBe('delivered');
  });

  it('answers a create with the Message resource JSON that Twilio returns', async () => {
    const response = await postMessage({ To: lead, From: from, Body: 'Raw' });
    const resource = (await response.json()) as { sid: string; date_created: string };

    expect(response.status).toBe(201);
    expect(resource).toEqual({
      account_sid: accountSid,
      api_version: '2010-04-01',
      body: 'Raw',
      date_created: expect.stringMatching(/^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} \+0000$/),
      date_sent: null,
      date_updated: resource.date_created,
      direction: 'outbound-api',
      error_code: null,
      error_message: null,
      from,
      messaging_service_sid: null,
      num_media: '0',
      num_segments: '1',
      price: null,
      price_unit: 'USD',
      sid: expect.stringMatching(/^SM[0-9a-f]{32}$/),
      status: 'queued',
      subresource_uris: {
        media: `/2010-04-01/Accounts/${accountSid}/Messages/${resource.sid}/Media.json`,
        feedback: `/2010-04-01/Accounts/${accountSid}/Messages/${resource.sid}/Feedback.json`,
      },
      to: lead,
      uri: `/2010-04-01/Accounts/${accountSid}/Messages/${resource.sid}.json`,
    });
  });

  it('refuses credentials of an account other than the one in the path', async () => {
    const response = await postMessage({ To: lead, From: from, Body: 'Hi' }, `AC${'2'.repeat(32)}`);

    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ code: 20003, status: 401 });
  });

  it.each<{ problem: string; form: Record<string, string>; code: number }>([
    { problem: 'no To', form: { From: from, Body: 'Hi' }, code: 21604 },
    { problem: 'neither From nor MessagingServiceSid', form: { To: lead, Body: 'Hi' }, code: 21603 },
    { problem: 'no Body', form: { To: lead, From: from }, code: 21602 },
    { problem: 'a Body over 1600 characters', form: { To: lead, From: from, Body: 'x'.repeat(1601) }, code: 21617 },
  ])('answers a create with $problem with Twilio error $code', async ({ form, code }) => {
    const response = await postMessage(form);

    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      code,
      status: 400,
      more_info: `https://www.twilio.com/docs/errors/${code}`,
    });
  });

  it('lists sent messages over HTTP, and forgets them and every opt-out on DELETE', async () => {
    const sut = smsService();
    await sut.send({ to: lead, body: 'Listed' });
    await inbound(lead, 'STOP');

    const listed = await (await fetch(`${sink.url}/sink/messages`)).json();
    const cleared = await fetch(`${sink.url}/sink/messages`, { method: 'DELETE' });

    expect(listed).toEqual([expect.objectContaining({ to: lead, body: 'Listed' })]);
    expect(cleared.status).toBe(204);
    expect(sink.messages()).toEqual([]);
    await expect(sut.send({ to: lead, body: 'After reset' })).resolves.toMatchObject({ status: 'queued' });
  });
});

/** A local HTTP server standing in for Nudge's status-callback webhook. */
async function startCallbackReceiver() {
  const received: ReceivedCallback[] = [];
  const server: Server = createServer((request, response) => {
    let raw = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (raw += chunk));
    request.on('end', () => {
      const signature = request.headers['x-twilio-signature'];
      received.push({
        url: `${origin}${request.url}`,
        signature: typeof signature === 'string' ? signature : undefined,
        params: Object.fromEntries(new URLSearchParams(raw)),
      });
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Polls until `done` holds or 5 s pass, then returns what it read, so assertions show why. */
async function eventually<T>(read: () => T, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 5_000;
  while (!done(read()) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return read();
}
