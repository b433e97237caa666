import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model, mongo } from 'mongoose';
import { duplicateKeyIndexes } from '../database/mongo-errors';
import { decodeKey } from '../leads/field-keys';
import { renameKeys } from './json-safety';
import { PreparedMessage } from './prepare-message';
import { TrackedEvent } from './event.model';
import { FailedEvent } from './failed-event.model';

/** A stored event as the rest of Nudge sees it. */
export type EventRecord = Omit<PreparedMessage, 'clientSessionId'> & {
  workspaceId: string;
  sourceId: string;
  leadId: string;
  sessionId?: string;
  /** The rollup this event was counted in (see LeadsService.record). */
  rollupKey?: string;
};

export interface EventQuery {
  leadIds: string[];
  from?: Date;
  to?: Date;
  eventType?: string;
  before?: { timestamp: Date; id: string };
  limit: number;
}

export type FailedEventRecord = Omit<FailedEvent, 'payload'> & { id: string; payload: unknown };

/** What {@link EventsRepository.eventsWhere} selects. */
export interface EventsWhere {
  types: readonly string[];
  equals: Record<string, string>;
  since?: Date;
  properties?: readonly string[];
}

export const eventId = (sourceId: string, messageId: string) => `${sourceId}:${messageId}`;

@Injectable()
export class EventsRepository {
  constructor(
    @InjectModel(TrackedEvent.name) private readonly events: Model<TrackedEvent>,
    @InjectModel(FailedEvent.name) private readonly failed: Model<FailedEvent>,
  ) {}

  /**
   * One unordered `insertMany` for the whole batch. Returns which records were new;
   * the others were already stored (a retry), which is not an error.
   */
  async insertNew(records: readonly EventRecord[]): Promise<boolean[]> {
    const inserted = records.map(() => true);
    if (!records.length) return inserted;
    const docs = records.map((record) => ({ _id: eventId(record.sourceId, record.messageId), ...record }));
    try {
      await this.events.collection.insertMany(docs as never[], { ordered: false });
    } catch (error) {
      // Already stored (a retry) is not a failure; anything else is.
      const duplicates = duplicateKeyIndexes(error);
      if (!duplicates) throw error;
      for (const index of duplicates) inserted[index] = false;
    }
    return inserted;
  }

  /** The lead and rollup key of stored events, for those stored with one. */
  async findRollupKeys(
    workspaceId: string,
    eventIds: readonly string[],
  ): Promise<Array<{ eventId: string; leadId: string; rollupKey: string }>> {
    const docs = await this.events.collection
      .find({ _id: { $in: eventIds as never[] }, workspaceId }, { projection: { leadId: 1, rollupKey: 1 } })
      .toArray();
    return docs.flatMap((doc) =>
      doc.rollupKey ? [{ eventId: doc._id as unknown as string, leadId: doc.leadId, rollupKey: doc.rollupKey }] : [],
    );
  }

  /** Every event stored under these rollups, with its `_id`. Only a retry after a lost rollup asks. */
  async findByRollups(
    workspaceId: string,
    rollups: ReadonlyArray<{ leadId: string; rollupKey: string }>,
  ): Promise<Array<EventRecord & { id: string }>> {
    const docs = await this.events.collection
      .find({
        workspaceId,
        leadId: { $in: [...new Set(rollups.map(({ leadId }) => leadId))] },
        rollupKey: { $in: [...new Set(rollups.map(({ rollupKey }) => rollupKey))] },
      })
      .toArray();
    const wanted = new Set(rollups.map(({ leadId, rollupKey }) => `${leadId}\0${rollupKey}`));
    return docs
      .filter((doc) => wanted.has(`${doc.leadId}\0${doc.rollupKey}`))
      .map(({ _id, ...event }) => ({ ...(event as EventRecord), id: _id as unknown as string }));
  }

  /** Moves stored events into other sessions (a rollup redone after a concurrent write placed them anew). */
  async setSessionIds(moves: ReadonlyArray<{ eventId: string; sessionId: string }>): Promise<void> {
    if (!moves.length) return;
    await this.events.collection.bulkWrite(
      moves.map(({ eventId, sessionId }) => ({
        updateOne: { filter: { _id: eventId as never }, update: { $set: { sessionId } } },
      })),
      { ordered: false },
    );
  }

  /**
   * Every event of these types since `since` (all time without), in no particular order, with
   * only the named properties: one cursor over the collection, read in batches. On MongoDB the
   * `{workspaceId, eventType, timestamp}` index serves it; FerretDB's SQLite backend scans once.
   */
  eventsOfTypes(workspaceId: string, types: readonly string[], since: Date | undefined, properties: readonly string[]) {
    const projection: Record<string, 1> = { leadId: 1, eventType: 1, timestamp: 1 };
    for (const path of properties) projection[`properties.${path.split('.')[0]}`] = 1;
    return this.events.collection
      .find(
        { workspaceId, eventType: { $in: [...types] }, ...(since && { timestamp: { $gte: since } }) },
        { projection },
      )
      .batchSize(5_000)
      .map((doc) => ({
        id: doc._id as unknown as string,
        leadId: doc.leadId as string,
        type: doc.eventType as string,
        timestamp: doc.timestamp as Date,
        properties: (doc.properties ?? {}) as Record<string, unknown>,
      }));
  }

  /**
   * Every event of these types whose properties hold these values (`{ segmentId: 'vip' }`),
   * since `since` if given, with its lead, type, time and the named properties, in no
   * particular order: one cursor, read in batches.
   */
  eventsWhere(workspaceId: string, { types, equals, since, properties = [] }: EventsWhere) {
    const filter: mongo.Filter<mongo.Document> = {
      workspaceId,
      eventType: { $in: [...types] },
      ...(since && { timestamp: { $gte: since } }),
    };
    for (const [path, value] of Object.entries(equals)) filter[`properties.${path}`] = value;
    const projection: Record<string, 1> = { leadId: 1, eventType: 1, timestamp: 1 };
    for (const path of properties) projection[`properties.${path.split('.')[0]}`] = 1;
    return this.events.collection
      .find(filter, { projection })
      .batchSize(5_000)
      .map((doc) => ({
        leadId: doc.leadId as string,
        type: doc.eventType as string,
        timestamp: doc.timestamp as Date,
        properties: (doc.properties ?? {}) as Record<string, unknown>,
      }));
  }

  /** A page of one lead's events, newest first, in a workspace. */
  async find(workspaceId: string, query: EventQuery): Promise<EventRecord[]> {
    const filter: mongo.Filter<mongo.Document> = { workspaceId, leadId: { $in: query.leadIds } };
    if (query.eventType) filter.eventType = query.eventType;
    if (query.from || query.to) {
      filter.timestamp = { ...(query.from && { $gte: query.from }), ...(query.to && { $lt: query.to }) };
    }
    if (query.before) {
      const { timestamp, id } = query.before;
      filter.$or = [{ timestamp: { $lt: timestamp } }, { timestamp, _id: { $lt: id as never } }];
    }
    const docs = await this.events.collection
      .find(filter)
      .sort({ timestamp: -1, _id: -1 })
      .limit(query.limit)
      .toArray();
    return docs.map(({ _id, integrations, rollupKey, ...event }) => ({
      ...(event as EventRecord),
      ...(integrations && { integrations: renameKeys(integrations, decodeKey) as Record<string, unknown> }),
    }));
  }

  async insertFailed(records: readonly Omit<FailedEvent, 'payload'>[], payloads: readonly unknown[]): Promise<void> {
    if (!records.length) return;
    await this.failed.collection.insertMany(
      records.map((record, i) => ({
        ...record,
        payload: (JSON.stringify(payloads[i]) ?? 'null').slice(0, MAX_PAYLOAD_CHARS),
      })),
      { ordered: false },
    );
  }

  async findFailed(workspaceId: string, limit: number): Promise<FailedEventRecord[]> {
    const docs = await this.failed.find({ workspaceId }).sort({ receivedAt: -1 }).limit(limit).lean().exec();
    return docs.map(({ _id, payload, ...rest }) => ({ id: String(_id), payload: parseOrText(payload), ...rest }));
  }
}

/** Enough of a refused message to see what was wrong with it; a 500 KB body is cut short. */
const MAX_PAYLOAD_CHARS = 64 * 1024;

function parseOrText(payload: string): unknown {
  try {
    return JSON.parse(payload);
  } catch {
    return payload; // cut short at MAX_PAYLOAD_CHARS
  }
}
