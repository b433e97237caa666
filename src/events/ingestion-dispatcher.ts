import { Injectable } from '@nestjs/common';
import type { EventRecord } from './events.repository';

/** Events of one request, once stored, as handed to whatever reacts to them. */
export interface StoredBatch {
  workspaceId: string;
  /** Every accepted event; `duplicate` ones were stored by an earlier attempt of the request. */
  events: ReadonlyArray<EventRecord & { duplicate: boolean }>;
}

export type IngestionListener = (batch: StoredBatch) => Promise<void>;

/**
 * The seam between ingestion and what reacts to events. Subscribed today:
 * - segments (first): `src/segments/evaluation/segment-membership.listener.ts` evaluates the
 *   batch's leads in the workspace's criteria segments.
 * - journeys: `src/journeys/dispatch/journey-trigger.listener.ts` matches each event against
 *   the workspace's journey triggers and writes the lead workflow's signal to the outbox,
 *   which `journey-signal.relay.ts` delivers to Temporal. It runs after segments, so a
 *   journey's targetSegments see the memberships this batch made.
 *
 * Listeners subscribe here (in their module's init) and ingestion never imports them. A
 * listener runs before the client gets its 200, so one that must not lose events (an outbox)
 * can make them durable; if it throws, the request fails and the client retries. Retried
 * events come back with `duplicate: true`, so listeners must be idempotent by messageId.
 */
@Injectable()
export class IngestionDispatcher {
  private readonly first = new Set<IngestionListener>();
  private readonly then = new Set<IngestionListener>();

  /** Listeners subscribed `first` all finish before the others start; within each, they run at once. */
  subscribe(listener: IngestionListener, { first = false } = {}): () => void {
    const stage = first ? this.first : this.then;
    stage.add(listener);
    return () => stage.delete(listener);
  }

  async dispatch(batch: StoredBatch): Promise<void> {
    if (!batch.events.length) return;
    for (const stage of [this.first, this.then]) await Promise.all([...stage].map((listener) => listener(batch)));
  }
}
