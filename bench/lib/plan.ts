import { Batch, rollupKeyOf, StoredEvent, storedDocument, Visitor, Workload } from './workload';

/** Events per HTTP batch and per `insertMany`: what analytics.js flushes at most. */
export const BATCH_SIZE = 100;

export interface Settings {
  visitors: number;
  /** Batches per throughput phase. */
  batches: number;
  concurrency: number;
  /** Single events per second in the latency phases. */
  rate: number;
  seconds: number;
  /** Times the driver and HTTP throughput phases alternate. */
  rounds: number;
  warmupBatches: number;
}

/** A request body ready to send, and how many events it carries. */
export interface HttpRequest {
  body: string;
  events: number;
}

/** Every payload of a run, generated before anything is timed, each phase with fresh message ids. */
export interface Plan {
  /** Kept whole (not just bodies): the stored-shape check reads its messages. */
  warmup: Batch[];
  /** One `insertMany` per client, so the driver's connections are open before timing. */
  rawWarmup: StoredEvent[][];
  rounds: Array<{ raw: StoredEvent[][]; http: HttpRequest[] }>;
  latency: { http: string[]; raw: StoredEvent[] };
}

export function planRun(workload: Workload, settings: Settings): Plan {
  // Batches go round the visitors, so concurrent requests are mostly different visitors'.
  const visitorOf = (i: number): Visitor => workload.visitors[i % workload.visitors.length];
  const batches = (count: number) => Array.from({ length: count }, (_, i) => workload.batch(visitorOf(i), BATCH_SIZE));
  const asDocuments = (batch: Batch) => {
    const receivedAt = new Date();
    const key = rollupKeyOf(batch.visitor, batch.messages);
    return batch.messages.map((message) => storedDocument(message, batch.visitor, receivedAt, key, batch.sentAt));
  };
  const asRequest = (batch: Batch): HttpRequest => ({ body: batch.body, events: batch.messages.length });
  const singles = settings.rate * settings.seconds;
  const tracks = () =>
    Array.from({ length: singles }, (_, i) => ({ visitor: visitorOf(i), message: workload.track(visitorOf(i)) }));

  return {
    warmup: batches(settings.warmupBatches),
    rawWarmup: batches(settings.concurrency).map(asDocuments),
    rounds: Array.from({ length: settings.rounds }, () => ({
      raw: batches(settings.batches).map(asDocuments),
      http: batches(settings.batches).map(asRequest),
    })),
    latency: {
      http: tracks().map(({ message }) => JSON.stringify(message)),
      raw: tracks().map(({ visitor, message }) =>
        storedDocument(message, visitor, new Date(), rollupKeyOf(visitor, [message])),
      ),
    },
  };
}

/** Events in a list of batches: HTTP requests, or arrays of messages or documents. */
export const eventsIn = (batches: ReadonlyArray<HttpRequest | readonly unknown[]>): number =>
  batches.reduce((sum, batch) => sum + ('events' in batch ? batch.events : batch.length), 0);
