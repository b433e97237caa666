import { setTimeout as sleep } from 'node:timers/promises';

/** What an attempt answers when another writer changed the document between its read and its write. */
export const CONFLICT: unique symbol = Symbol('conflict');
export type Conflict = typeof CONFLICT;

/**
 * Runs `attempt` (read, decide, write only if nothing changed since the read) again for as
 * long as it answers CONFLICT, after a random pause that grows with each conflict. Every
 * conflict is another writer's success, so the writers as a whole always progress; the
 * jitter keeps those that collided from colliding again in step, in this process or another.
 * Gives up after `attempts` with `giveUp()`'s error, or a plain one: a Temporal activity then
 * fails and is retried later; an HTTP request answers what `giveUp` says.
 */
export async function retryOnConflict<T>(
  what: string,
  attempt: () => Promise<T | Conflict>,
  { attempts = 30, maxDelayMs = 100, giveUp }: { attempts?: number; maxDelayMs?: number; giveUp?: () => Error } = {},
): Promise<T> {
  for (let conflicts = 0; conflicts < attempts; conflicts++) {
    if (conflicts > 0) await sleep(Math.random() * Math.min(maxDelayMs, 2 ** conflicts));
    const result = await attempt();
    if (result !== CONFLICT) return result;
  }
  throw giveUp?.() ?? new Error(`${what} kept changing under ${attempts} attempts; try again`);
}
