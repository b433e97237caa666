import { mongo } from 'mongoose';
import { StoredEvent, WRITE_KEY } from './workload';

/**
 * The two ways into the database the bench compares: the API over HTTP, and the driver
 * straight to a collection shaped like the API's. Both check every answer, so a fast
 * figure can never come from requests that silently failed.
 */

interface IngestReply {
  success?: boolean;
  accepted?: number;
  duplicates?: number;
  rejected?: unknown[];
}

export class IngestionClient {
  private readonly headers = {
    authorization: `Basic ${Buffer.from(`${WRITE_KEY}:`).toString('base64')}`,
    'content-type': 'application/json',
  };

  /** `timeoutMs`: a request unanswered by then fails as a timeout (an `AbortError`). */
  constructor(
    private readonly apiUrl: string,
    private readonly timeoutMs?: number,
  ) {}

  /** `POST /v1/batch`; throws unless all the batch's `events` were stored as new. */
  postBatch(body: string, events: number): Promise<void> {
    return this.post('/v1/batch', body, events);
  }

  /** `POST /v1/track` of one event; throws unless it was stored as new. */
  postTrack(body: string): Promise<void> {
    return this.post('/v1/track', body, 1);
  }

  private async post(path: string, body: string, events: number): Promise<void> {
    const response = await fetch(`${this.apiUrl}${path}`, {
      method: 'POST',
      headers: this.headers,
      body,
      ...(this.timeoutMs && { signal: AbortSignal.timeout(this.timeoutMs) }),
    });
    const text = await response.text();
    const problem = problemWith(response.status, parseReply(text), events);
    if (problem) throw new Error(`POST ${path} ${problem}: ${text.slice(0, 500)}`);
  }
}

/** Why an answer is not "all `events` stored as new", or undefined when it is. */
function problemWith(status: number, reply: IngestReply | undefined, events: number): string | undefined {
  if (status !== 200) return `answered ${status}`;
  if (!reply?.success) return 'did not answer success: true';
  if (reply.rejected?.length) return `rejected ${reply.rejected.length} event(s)`;
  if (reply.accepted !== events || reply.duplicates !== 0)
    return `accepted ${reply.accepted} (${reply.duplicates} duplicates) of ${events} new events`;
  return undefined;
}

function parseReply(text: string): IngestReply | undefined {
  try {
    return JSON.parse(text) as IngestReply;
  } catch {
    return undefined;
  }
}

/** The indexes the API declared on `events`, minus `_id`'s, as key specifications. */
export async function secondaryIndexKeys<T extends mongo.Document>(
  collection: mongo.Collection<T>,
): Promise<mongo.Document[]> {
  const indexes = await collection.listIndexes().toArray();
  return indexes.filter((index) => index.name !== '_id_').map((index) => index.key as mongo.Document);
}

/**
 * A fresh collection with the same secondary indexes as the API's `events`, so the driver
 * baseline pays the same index maintenance the API's inserts do.
 */
export async function createRawCollection(
  db: mongo.Db,
  name: string,
  indexKeys: readonly mongo.Document[],
): Promise<mongo.Collection<StoredEvent>> {
  const collection = await db.createCollection<StoredEvent>(name);
  await collection.createIndexes(indexKeys.map((key) => ({ key })));
  return collection;
}
