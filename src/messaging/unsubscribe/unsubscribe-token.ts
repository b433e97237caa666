import { createHmac, timingSafeEqual } from 'node:crypto';

export type Channel = 'email' | 'sms';

/** Who opts out of what: everything an unsubscribe link has to prove. */
export interface UnsubscribeClaim {
  workspaceId: string;
  leadId: string;
  channel: Channel;
}

const VERSION = 1;
// 128 bits of HMAC-SHA256: unforgeable in practice, and keeps the link short enough for SMS.
const MAC_BYTES = 16;

/**
 * A stateless, non-expiring unsubscribe token: `payload.mac`, both base64url. Links must
 * keep working for weeks (CAN-SPAM asks for 30 days), and storing nothing means a link in
 * any email ever sent stays valid without a table of issued tokens.
 */
export function signUnsubscribeToken(secret: string, { workspaceId, leadId, channel }: UnsubscribeClaim): string {
  // A JSON array, not a joined string: no separator a workspace or lead id could contain.
  const payload = Buffer.from(JSON.stringify([VERSION, workspaceId, leadId, channel])).toString('base64url');
  return `${payload}.${mac(secret, payload).toString('base64url')}`;
}

/** The claim a token proves, or undefined when it is malformed or was not signed with `secret`. */
export function verifyUnsubscribeToken(secret: string, token: string): UnsubscribeClaim | undefined {
  const [payload, signature, ...rest] = token.split('.');
  if (!payload || !signature || rest.length) return undefined;
  const given = Buffer.from(signature, 'base64url');
  const expected = mac(secret, payload);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  const claim = parse(Buffer.from(payload, 'base64url').toString('utf8'));
  if (!Array.isArray(claim) || claim.length !== 4) return undefined;
  const [version, workspaceId, leadId, channel] = claim as unknown[];
  if (version !== VERSION || typeof workspaceId !== 'string' || typeof leadId !== 'string') return undefined;
  if (channel !== 'email' && channel !== 'sms') return undefined;
  return { workspaceId, leadId, channel };
}

function mac(secret: string, payload: string): Buffer {
  return createHmac('sha256', secret).update(`unsubscribe:${payload}`).digest().subarray(0, MAC_BYTES);
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
