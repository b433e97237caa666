import { createHash, randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { mongo } from 'mongoose';
import { createRawCollection, IngestionClient, secondaryIndexKeys } from '../lib/clients';

/**
 * The load that stalled the embedded stack (issue 9): concurrent clients, each
 * `POST /v1/batch` carrying one event for each of 20 distinct leads; a first round in which
 * every lead is new, then rounds over the same, now existing, leads. Every round's events
 * are a minute apart per lead, so each lead ends with one session and an exact count.
 */

export interface LoadSettings {
  clients: number;
  leads: number;
  leadsPerBatch: number;
  /** Rounds over existing leads, after the first-contact round. */
  rounds: number;
  timeoutMs: number;
}

export interface LoadBatch {
  body: string;
  events: number;
}

/** Rounds of batches: round 0 meets every lead for the first time. */
export function planLoad(settings: LoadSettings, runId: string): LoadBatch[][] {
  const userIds = Array.from({ length: settings.leads }, (_, i) => `load-${runId}-${i}`);
  const start = Date.now() - (settings.rounds + 2) * 60_000;
  return Array.from({ length: settings.rounds + 1 }, (_, round) => {
    const order = shuffled(userIds, `${runId}-${round}`);
    const batches: LoadBatch[] = [];
    for (let i = 0; i < order.length; i += settings.leadsPerBatch) {
      const batch = order.slice(i, i + settings.leadsPerBatch).map((userId) => ({
        type: 'track',
        userId,
        event: round % 2 ? 'product_viewed' : 'page_view',
        properties: { value: 2 },
        messageId: randomUUID(),
        timestamp: new Date(start + round * 60_000).toISOString(),
      }));
      batches.push({ body: JSON.stringify({ batch }), events: batch.length });
    }
    return batches;
  });
}

/** A deterministic shuffle, so each round meets the leads in another order (and other batches). */
function shuffled<T>(items: readonly T[], seed: string): T[] {
  const rank = (item: T) =>
    createHash('sha1')
      .update(`${seed}:${String(item)}`)
      .digest('hex');
  return [...items].sort((a, b) => rank(a).localeCompare(rank(b)));
}

export interface PhaseResult {
  events: number;
  wallMs: number;
  latenciesMs: number[];
  errors: string[];
  timeouts: number;
}

/**
 * Closed loop: `clients` workers, each sending its next batch as soon as its last one was
 * answered, to the APIs in turn. Failures are counted, not thrown, so one bad answer
 * cannot hide the rest of the run.
 */
export async function runPhase(
  batches: readonly LoadBatch[],
  clients: number,
  send: (batch: LoadBatch, index: number) => Promise<void>,
): Promise<PhaseResult> {
  const result: PhaseResult = { events: 0, wallMs: 0, latenciesMs: [], errors: [], timeouts: 0 };
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      for (let i = next++; i < batches.length; i = next++) {
        const sent = performance.now();
        try {
          await send(batches[i], i);
          result.events += batches[i].events;
          result.latenciesMs.push(performance.now() - sent);
        } catch (error) {
          if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError'))
            result.timeouts++;
          else result.errors.push(error instanceof Error ? error.message : String(error));
        }
      }
    }),
  );
  result.wallMs = performance.now() - started;
  return result;
}

/** Nudge: each batch to the next API process in turn. */
export const httpSender = (apis: readonly IngestionClient[]) => (batch: LoadBatch, index: number) =>
  apis[index % apis.length].postBatch(batch.body, batch.events);

/**
 * The raw baseline: the least a database client must do for the same result, with the same
 * driver and the same database: one `insertMany` of the batch's events and one `bulkWrite`
 * of `$inc` upserts of their leads' counters, straight from the parsed batch, into
 * collections indexed like the API's `events` and `leads` (so both pay the same index upkeep).
 */
export async function rawSender(db: mongo.Db) {
  const like = async (name: string, api: string) =>
    createRawCollection(db, name, await secondaryIndexKeys(db.collection(api)));
  const events = await like('bench_raw_events', 'events');
  const leads = (await like('bench_raw_leads', 'leads')) as unknown as mongo.Collection;
  return async (batch: LoadBatch) => {
    const { batch: messages } = JSON.parse(batch.body) as {
      batch: Array<{ userId: string; event: string; messageId: string; timestamp: string; properties: object }>;
    };
    const docs = messages.map((message) => ({
      _id: message.messageId,
      ...message,
      timestamp: new Date(message.timestamp),
    }));
    await events.insertMany(docs, { ordered: false });
    await leads.bulkWrite(
      messages.map((message) => ({
        updateOne: {
          filter: { _id: message.userId as never },
          update: {
            $inc: { eventCount: 1, [`countsByType.${message.event}`]: 1, valueSum: 2 },
            $max: { lastSeenAt: new Date(message.timestamp) },
          },
          upsert: true,
        },
      })),
      { ordered: false },
    );
  };
}
