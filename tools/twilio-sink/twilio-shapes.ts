import { randomBytes } from 'node:crypto';

export const API_VERSION = '2010-04-01';
const MAX_BODY_LENGTH = 1_600;

/** A parsed request body, form-encoded or JSON. */
export type Form = Record<string, unknown> | undefined;

/** A message the sink accepted, as the sink keeps it; `toMessageResource` renders it as Twilio does. */
export interface SinkMessage {
  sid: string;
  accountSid: string;
  to: string;
  from: string | null;
  messagingServiceSid: string | null;
  body: string;
  mediaUrls: string[];
  statusCallback: string | null;
  status: 'queued' | 'sent' | 'delivered';
  numSegments: number;
  dateCreated: Date;
  dateUpdated: Date;
  dateSent: Date | null;
}

export interface TwilioError {
  code: number;
  message: string;
  more_info: string;
  status: number;
}

/** Twilio's legacy error body, the one the SDK turns into a RestException. */
export function twilioError(status: number, code: number, message: string): TwilioError {
  return { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status };
}

// Twilio matches these only as the whole message, in any case.
const OPT_OUT_KEYWORDS = new Set(['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT']);
const OPT_IN_KEYWORDS = new Set(['START', 'UNSTOP', 'YES']);

/** What an inbound SMS body does to the sender's subscription, if anything. */
export function keywordAction(body: string): 'opt-out' | 'opt-in' | undefined {
  const keyword = body.trim().toUpperCase();
  if (OPT_OUT_KEYWORDS.has(keyword)) return 'opt-out';
  if (OPT_IN_KEYWORDS.has(keyword)) return 'opt-in';
  return undefined;
}

export function newMessageSid(): string {
  return `SM${randomBytes(16).toString('hex')}`;
}

const GSM_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
  '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const GSM_EXTENDED = '\f^{}\\[~]|€';

/** Segments as carriers bill them: GSM-7 when every character fits, else UCS-2. */
export function countSegments(body: string): number {
  let septets = 0;
  for (const char of body) {
    if (GSM_BASIC.includes(char)) septets += 1;
    else if (GSM_EXTENDED.includes(char)) septets += 2;
    else return body.length <= 70 ? 1 : Math.ceil(body.length / 67);
  }
  return septets <= 160 ? 1 : Math.ceil(septets / 153);
}

/** Twilio's RFC 2822 dates, always in UTC with a numeric zone: `Thu, 24 Aug 2023 05:01:45 +0000`. */
export function rfc2822(date: Date): string {
  return date.toUTCString().replace(/GMT$/, '+0000');
}

/** The Message resource JSON that Twilio returns from create and fetch. */
export function toMessageResource(message: SinkMessage) {
  const uri = `/${API_VERSION}/Accounts/${message.accountSid}/Messages/${message.sid}`;
  return {
    account_sid: message.accountSid,
    api_version: API_VERSION,
    body: message.body,
    date_created: rfc2822(message.dateCreated),
    date_sent: message.dateSent && rfc2822(message.dateSent),
    date_updated: rfc2822(message.dateUpdated),
    direction: 'outbound-api',
    error_code: null,
    error_message: null,
    from: message.from,
    messaging_service_sid: message.messagingServiceSid,
    num_media: String(message.mediaUrls.length),
    num_segments: String(message.numSegments),
    price: null,
    price_unit: 'USD',
    sid: message.sid,
    status: message.status,
    subresource_uris: { media: `${uri}/Media.json`, feedback: `${uri}/Feedback.json` },
    to: message.to,
    uri: `${uri}.json`,
  };
}

/** Twilio's checks, in Twilio's order, for POST Messages.json. */
export function validateCreate(form: Form, optedOut: ReadonlySet<string>): TwilioError | undefined {
  const to = field(form, 'To');
  if (!to) return twilioError(400, 21604, "A 'To' phone number is required.");
  if (!field(form, 'From') && !field(form, 'MessagingServiceSid')) {
    return twilioError(400, 21603, "A 'From' phone number is required.");
  }
  const body = field(form, 'Body') ?? '';
  if (!body && fields(form, 'MediaUrl').length === 0) {
    return twilioError(400, 21602, 'Message body is required.');
  }
  if (body.length > MAX_BODY_LENGTH) {
    return twilioError(400, 21617, 'The concatenated message body exceeds the 1600 character limit.');
  }
  if (optedOut.has(to)) return twilioError(400, 21610, 'Attempt to send to unsubscribed recipient');
  return undefined;
}

export function newMessage(accountSid: string, form: Form): SinkMessage {
  const now = new Date();
  const body = field(form, 'Body') ?? '';
  return {
    sid: newMessageSid(),
    accountSid,
    to: field(form, 'To') ?? '',
    from: field(form, 'From') ?? null,
    messagingServiceSid: field(form, 'MessagingServiceSid') ?? null,
    body,
    mediaUrls: fields(form, 'MediaUrl'),
    statusCallback: field(form, 'StatusCallback') ?? null,
    status: 'queued',
    numSegments: countSegments(body),
    dateCreated: now,
    dateUpdated: now,
    dateSent: null,
  };
}

/** Form fields repeat (MediaUrl=a&MediaUrl=b); a single-valued field takes the first. */
export function fields(form: Form, name: string): string[] {
  const value = form?.[name];
  const values = Array.isArray(value) ? value : [value];
  return values.filter((item): item is string => typeof item === 'string' && item !== '');
}

export function field(form: Form, name: string): string | undefined {
  return fields(form, name)[0];
}
