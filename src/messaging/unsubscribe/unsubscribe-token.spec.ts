import { createHmac } from 'node:crypto';
import { signUnsubscribeToken, UnsubscribeClaim, verifyUnsubscribeToken } from './unsubscribe-token';

const secret = 'test-unsubscribe-secret-0123456789';
const claim: UnsubscribeClaim = { workspaceId: 'acme', leadId: 'lead_0123456789abcdef01234567', channel: 'email' };

describe('unsubscribe tokens', () => {
  it('round-trips the claim it was signed over', () => {
    const sut = signUnsubscribeToken(secret, claim);

    expect(sut).toMatch(/^[\w-]+\.[\w-]+$/);
    expect(verifyUnsubscribeToken(secret, sut)).toEqual(claim);
  });

  it('is the same token every time, so a retried send carries the same link', () => {
    expect(signUnsubscribeToken(secret, claim)).toBe(signUnsubscribeToken(secret, claim));
  });

  it('differs per workspace, lead and channel', () => {
    const tokens = new Set([
      signUnsubscribeToken(secret, claim),
      signUnsubscribeToken(secret, { ...claim, workspaceId: 'other' }),
      signUnsubscribeToken(secret, { ...claim, leadId: 'lead_ffffffffffffffffffffffff' }),
      signUnsubscribeToken(secret, { ...claim, channel: 'sms' }),
    ]);

    expect(tokens.size).toBe(4);
  });

  it('refuses a token signed with another secret', () => {
    const forged = signUnsubscribeToken('another-secret-of-sixteen+', claim);

    expect(verifyUnsubscribeToken(secret, forged)).toBeUndefined();
  });

  it('refuses a payload swapped under a valid signature', () => {
    const [, signature] = signUnsubscribeToken(secret, claim).split('.');
    const [otherPayload] = signUnsubscribeToken(secret, { ...claim, leadId: 'lead_victim' }).split('.');

    expect(verifyUnsubscribeToken(secret, `${otherPayload}.${signature}`)).toBeUndefined();
  });

  it.each(['', 'abc', 'a.b', 'a.b.c', '.', `${Buffer.from('[]').toString('base64url')}.`])(
    'refuses the malformed token %j',
    (token) => {
      expect(verifyUnsubscribeToken(secret, token)).toBeUndefined();
    },
  );

  it('refuses a correctly signed payload of the wrong shape', () => {
    // Only reachable with the secret, but the parser must not trust shape on a valid mac alone.
    const payload = Buffer.from(JSON.stringify([1, 'acme', 42, 'email'])).toString('base64url');
    const mac = createHmac('sha256', secret).update(`unsubscribe:${payload}`).digest().subarray(0, 16);

    expect(verifyUnsubscribeToken(secret, `${payload}.${mac.toString('base64url')}`)).toBeUndefined();
  });
});
