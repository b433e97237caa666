import formbody from '@fastify/formbody';
import Fastify, { FastifyRequest } from 'fastify';
import twilio from 'twilio';
import {
  API_VERSION,
  Form,
  SinkMessage,
  countSegments,
  field,
  keywordAction,
  newMessage,
  newMessageSid,
  toMessageResource,
  twilioError,
  validateCreate,
} from './twilio-shapes';

export interface TwilioSinkOptions {
  /** 0, the default, picks a free port. */
  port?: number;
  host?: string;
  authToken: string;
  /** When set, only this account authenticates; otherwise any AC… SID with the auth token does. */
  accountSid?: string;
  /** Where to report status callbacks and webhooks that failed; they never fail a send. */
  warn?: (message: string) => void;
  /**
   * The number's messaging webhook, as configured in Twilio's console: every message posted
   * to /sink/inbound is forwarded there, form-encoded and signed like Twilio's.
   */
  inboundWebhook?: string;
}

/** A running local stand-in for Twilio's Messages API. */
export interface TwilioSink {
  /** Origin to point TWILIO_API_URL at, e.g. http://127.0.0.1:4010. */
  url: string;
  /** Messages accepted so far, oldest first. */
  messages(): SinkMessage[];
  close(): Promise<void>;
}

type AccountParams = { AccountSid: string };

const CALLBACK_TIMEOUT_MS = 3_000;

/** Starts the sink; resolves once it accepts connections. */
export async function startTwilioSink(options: TwilioSinkOptions): Promise<TwilioSink> {
  const sent: SinkMessage[] = [];
  const optedOut = new Set<string>();
  const deliveries = new Set<Promise<void>>();
  const closing = new AbortController();

  const isAuthorized = (request: FastifyRequest<{ Params: AccountParams }>): boolean => {
    const credentials = basicCredentials(request.headers.authorization);
    return (
      credentials?.username === request.params.AccountSid &&
      credentials.password === options.authToken &&
      (options.accountSid === undefined || credentials.username === options.accountSid)
    );
  };

  // Twilio reports status changes after the API call returns, so the sender sees `queued` first.
  const deliver = async (message: SinkMessage): Promise<void> => {
    await new Promise((resolve) => setImmediate(resolve));
    for (const status of ['sent', 'delivered'] as const) {
      if (closing.signal.aborted) return;
      message.status = status;
      message.dateUpdated = new Date();
      message.dateSent ??= message.dateUpdated;
      if (message.statusCallback) await postStatus(message.statusCallback, message, options, closing.signal);
    }
  };

  const app = Fastify({ forceCloseConnections: true });
  await app.register(formbody);

  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send(twilioError(404, 20404, `The requested resource ${request.url} was not found`)),
  );

  await app.register(
    (api, _options, done) => {
      api.addHook<{ Params: AccountParams }>('onRequest', (request, reply, done) => {
        if (isAuthorized(request)) return done();
        reply
          .header('WWW-Authenticate', 'Basic realm="Twilio API"')
          .code(401)
          .send(twilioError(401, 20003, 'Authenticate'));
      });

      api.post<{ Params: AccountParams; Body: Form }>('/Messages.json', async (request, reply) => {
        const form = request.body;
        const rejection = validateCreate(form, optedOut);
        if (rejection) return reply.code(rejection.status).send(rejection);
        const message = newMessage(request.params.AccountSid, form);
        sent.push(message);
        const delivery = deliver(message).finally(() => deliveries.delete(delivery));
        deliveries.add(delivery);
        return reply.code(201).send(toMessageResource(message));
      });

      api.get<{ Params: AccountParams & { Sid: string } }>('/Messages/:Sid.json', async (request, reply) => {
        const message = sent.find(
          (candidate) => candidate.sid === request.params.Sid && candidate.accountSid === request.params.AccountSid,
        );
        if (message) return toMessageResource(message);
        return reply.code(404).send(twilioError(404, 20404, `The requested resource ${request.url} was not found`));
      });
      done();
    },
    { prefix: `/${API_VERSION}/Accounts/:AccountSid` },
  );

  // A text from a phone to our number: keywords change the opt-out list as Twilio's do, and
  // the message goes on to the webhook; the answer waits for it, so tests need not poll.
  app.post<{ Body: Form }>('/sink/inbound', async (request, reply) => {
    const from = field(request.body, 'From');
    if (!from) return reply.code(400).send({ error: 'From is required' });
    const body = field(request.body, 'Body') ?? '';
    const action = keywordAction(body);
    if (action === 'opt-out') optedOut.add(from);
    if (action === 'opt-in') optedOut.delete(from);
    if (!options.inboundWebhook) return { from, optedOut: optedOut.has(from) };
    // Our number is the one that last texted this phone, unless the caller says otherwise.
    const lastSent = sent.findLast((message) => message.to === from);
    const sid = newMessageSid();
    const params: Record<string, string> = {
      AccountSid: options.accountSid ?? lastSent?.accountSid ?? `AC${'0'.repeat(32)}`,
      ApiVersion: API_VERSION,
      Body: body,
      From: from,
      MessageSid: sid,
      NumMedia: '0',
      NumSegments: String(countSegments(body)),
      SmsMessageSid: sid,
      SmsSid: sid,
      SmsStatus: 'received',
      To: field(request.body, 'To') ?? lastSent?.from ?? '',
    };
    const status = await postSigned(options.inboundWebhook, params, options, closing.signal, 'inbound webhook');
    return { from, optedOut: optedOut.has(from), webhook: { url: options.inboundWebhook, status: status ?? null } };
  });

  app.get('/sink/messages', (_request, reply) => reply.send(sent));

  app.delete('/sink/messages', async (_request, reply) => {
    sent.length = 0;
    optedOut.clear();
    return reply.code(204).send();
  });

  const host = options.host ?? '127.0.0.1';
  await app.listen({ port: options.port ?? 0, host });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('twilio-sink is not on a TCP port');

  return {
    url: originOf(host, address.port),
    messages: () => sent.map((message) => ({ ...message, mediaUrls: [...message.mediaUrls] })),
    close: async () => {
      closing.abort();
      await Promise.allSettled(deliveries);
      await app.close();
    },
  };
}

/** POSTs one status change the way Twilio does: form-encoded and signed with the auth token. */
async function postStatus(url: string, message: SinkMessage, options: TwilioSinkOptions, closing: AbortSignal) {
  const params: Record<string, string> = {
    AccountSid: message.accountSid,
    ApiVersion: API_VERSION,
    MessageSid: message.sid,
    MessageStatus: message.status,
    SmsSid: message.sid,
    SmsStatus: message.status,
    To: message.to,
    ...(message.from && { From: message.from }),
    ...(message.messagingServiceSid && { MessagingServiceSid: message.messagingServiceSid }),
  };
  await postSigned(url, params, options, closing, 'status callback');
}

/** POSTs form params signed with X-Twilio-Signature; the HTTP status, or undefined when unreachable. */
async function postSigned(
  url: string,
  params: Record<string, string>,
  options: TwilioSinkOptions,
  closing: AbortSignal,
  what: string,
): Promise<number | undefined> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-www-form-urlencoded',
        'X-Twilio-Signature': twilio.getExpectedTwilioSignature(options.authToken, url, params),
      },
      body: new URLSearchParams(params).toString(),
      signal: AbortSignal.any([closing, AbortSignal.timeout(CALLBACK_TIMEOUT_MS)]),
    });
    await response.arrayBuffer();
    if (!response.ok) options.warn?.(`${what} ${url} answered HTTP ${response.status}`);
    return response.status;
  } catch (error) {
    if (!closing.aborted) options.warn?.(`${what} ${url} failed: ${describe(error)}`);
    return undefined;
  }
}

// fetch reports every network failure as "fetch failed"; the reason is in its cause.
function describe(error: unknown): string {
  const { message, cause } = error as Error & { cause?: Error & { code?: string } };
  return cause ? `${message} (${cause.code ?? cause.message})` : message;
}

function basicCredentials(header: string | undefined) {
  const encoded = /^Basic\s+(\S+)$/i.exec(header ?? '')?.[1];
  if (!encoded) return undefined;
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

// A wildcard bind address is not somewhere a client can connect to.
function originOf(host: string, port: number): string {
  const reachable = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return `http://${reachable.includes(':') ? `[${reachable}]` : reachable}:${port}`;
}
