import { createHash, randomUUID } from 'node:crypto';
import { envSchema } from '../../src/config/env.schema';
import { SOURCE_ID, WORKSPACE_ID, WRITE_KEY } from '../lib/workload';

/** The leads and events of the journeys bench, and the settings the API and worker run with. */

export { SOURCE_ID, WORKSPACE_ID, WRITE_KEY };

/** The defaults the config schema gives every setting the bench leaves alone. */
const defaults = envSchema.parse({});
export const MAIL_FROM = defaults.MAIL_FROM;
export const UNSUBSCRIBE_SECRET = defaults.UNSUBSCRIBE_SECRET;
export const PUBLIC_URL = defaults.PUBLIC_URL;
export const TASK_QUEUE = defaults.TEMPORAL_TASK_QUEUE;
export const NAMESPACE = defaults.TEMPORAL_NAMESPACE;

/** What the seeded example journey enters on: a quote form abandoned at 40 %. */
export const FORM_ABANDON = { event: 'form_abandon', properties: { formId: 'quote', formCompletion: 40 } };

export interface BenchLead {
  userId: string;
  email: string;
  /** The API's id for the lead (src/leads/identity-batch.ts): derived from its first identity. */
  leadId: string;
}

export function benchLead(userId: string): BenchLead {
  const key = `${WORKSPACE_ID}:user:${userId}`;
  const leadId = `lead_${createHash('sha256').update(key).digest('hex').slice(0, 24)}`;
  return { userId, email: `${userId}@bench.example`, leadId };
}

/** Gives the lead its address, which the send step reads when the journey gets there. */
export const identifyMessage = ({ userId, email }: BenchLead) => ({
  type: 'identify',
  userId,
  traits: { email },
  messageId: randomUUID(),
  timestamp: new Date().toISOString(),
});

export const formAbandonMessage = (userId: string) => ({
  type: 'track',
  userId,
  event: FORM_ABANDON.event,
  properties: FORM_ABANDON.properties,
  messageId: randomUUID(),
  timestamp: new Date().toISOString(),
});

/** A `POST /v1/batch` body. */
export const batchBody = (messages: readonly object[]) =>
  JSON.stringify({ batch: messages, sentAt: new Date().toISOString() });

export function chunks<T>(items: readonly T[], size: number): T[][] {
  return Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));
}
