import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model, mongo } from 'mongoose';
import { bulkUpsert } from '../database/bulk-write';
import { duplicateKeyIndexes } from '../database/mongo-errors';
import { Identity, IdentityKind } from './identity.model';
import { Lead, SessionState } from './lead.model';
import { LeadRollup, rememberedKeys } from './rollups';

export interface IdentityRef {
  kind: IdentityKind;
  value: string;
}

/** What identity resolution and rollups need to know of a lead. */
export interface LeadState {
  id: string;
  userIds: string[];
  session?: SessionState;
  /** Bumped by every rollup; a rollup applies only to the `rev` it read. */
  rev?: number;
  /** The most recent rollup keys applied. */
  rollupKeys: string[];
}

export type LeadRecord = Omit<Lead, '_id'> & { id: string };

export const identityKey = (workspaceId: string, ref: IdentityRef) => `${workspaceId}:${ref.kind}:${ref.value}`;

/**
 * Leads and their identities. Every hot lookup is by `_id` (one `$in` per batch), which
 * MongoDB and the project's FerretDB build both serve from the `_id` index.
 */
@Injectable()
export class LeadsRepository {
  constructor(
    @InjectModel(Lead.name) private readonly leads: Model<Lead>,
    @InjectModel(Identity.name) private readonly identities: Model<Identity>,
  ) {}

  /** Lead id per identity key, for the keys that exist. */
  async findIdentities(workspaceId: string, keys: readonly string[]): Promise<Map<string, string>> {
    if (!keys.length) return new Map();
    const found = await this.identities.collection
      .find({ _id: { $in: keys as never[] }, workspaceId }, { projection: { leadId: 1 } })
      .toArray();
    return new Map(found.map((doc) => [doc._id as unknown as string, doc.leadId as string]));
  }

  async findStates(workspaceId: string, leadIds: readonly string[]): Promise<Map<string, LeadState>> {
    if (!leadIds.length) return new Map();
    const found = await this.leads.collection
      .find(
        { _id: { $in: leadIds as never[] }, workspaceId },
        { projection: { userIds: 1, session: 1, rev: 1, rollupKeys: 1 } },
      )
      .toArray();
    return new Map(
      found.map((doc) => {
        const id = doc._id as unknown as string;
        const rollupKeys = rememberedKeys(doc.rollupKeys, doc.rev);
        return [id, { id, userIds: doc.userIds ?? [], session: doc.session, rev: doc.rev, rollupKeys }];
      }),
    );
  }

  /** For each of these leads that exists, the lead it was merged into (null when none). */
  async findMergeTargets(workspaceId: string, leadIds: readonly string[]): Promise<Map<string, string | null>> {
    if (!leadIds.length) return new Map();
    const found = await this.leads.collection
      .find({ _id: { $in: leadIds as never[] }, workspaceId }, { projection: { mergedInto: 1 } })
      .toArray();
    return new Map(found.map((doc) => [doc._id as unknown as string, (doc.mergedInto as string) ?? null]));
  }

  /** The traits of these leads, for those that exist and were not merged into another. */
  async findTraits(workspaceId: string, leadIds: readonly string[]): Promise<Map<string, Record<string, unknown>>> {
    if (!leadIds.length) return new Map();
    const found = await this.leads.collection
      .find({ _id: { $in: leadIds as never[] }, workspaceId }, { projection: { traits: 1, mergedInto: 1 } })
      .toArray();
    return new Map(
      found.filter((doc) => !doc.mergedInto).map((doc) => [doc._id as unknown as string, doc.traits ?? {}]),
    );
  }

  /**
   * Up to `limit` leads (all, without one) of a workspace after `after`, by id, with their traits: one cursor
   * in `_id` order, read in batches by the caller. Merged leads are left out.
   */
  leadsInOrder(workspaceId: string, after: string | undefined, limit?: number) {
    const cursor = this.leads.collection
      .find(
        { workspaceId, ...(after !== undefined && { _id: { $gt: after as never } }), mergedInto: { $exists: false } },
        { projection: { traits: 1 } },
      )
      .sort({ _id: 1 })
      .batchSize(1_000);
    return (limit === undefined ? cursor : cursor.limit(limit)).map((doc) => ({
      id: doc._id as unknown as string,
      traits: (doc.traits ?? {}) as Record<string, unknown>,
    }));
  }

  /** Which of these leads match `filter` (a query over rollups and traits); merged leads never do. */
  async matchingIds(workspaceId: string, leadIds: readonly string[], filter: Record<string, unknown>) {
    if (!leadIds.length) return new Set<string>();
    // `_id` at the top level, so the database looks the leads up by it.
    const docs = await this.leads.collection
      .find(
        { _id: { $in: leadIds as never[] }, workspaceId, mergedInto: { $exists: false }, $and: [filter] },
        { projection: { _id: 1 } },
      )
      .toArray();
    return new Set(docs.map((doc) => doc._id as unknown as string));
  }

  /**
   * How many of a workspace's leads match `filter` (a query over rollups and traits), the
   * first `limit` of them in id order with their traits, and how many leads it has in all.
   * Merged leads are left out, as everywhere.
   */
  async matching(workspaceId: string, filter: Record<string, unknown>, limit: number) {
    const scope = { workspaceId, mergedInto: { $exists: false } };
    const matched = { $and: [scope, filter] };
    const [count, total, docs] = await Promise.all([
      this.leads.collection.countDocuments(matched),
      this.leads.collection.countDocuments(scope),
      limit
        ? this.leads.collection
            .find(matched, { projection: { traits: 1 } })
            .sort({ _id: 1 })
            .limit(limit)
            .toArray()
        : [],
    ]);
    const leads = docs.map((doc) => ({
      id: doc._id as unknown as string,
      traits: (doc.traits ?? {}) as Record<string, unknown>,
    }));
    return { count, total, leads };
  }

  /** Points each identity at its lead: new ones are created, existing ones are moved. */
  async linkIdentities(
    workspaceId: string,
    links: ReadonlyArray<{ ref: IdentityRef; leadId: string }>,
    now: Date,
  ): Promise<void> {
    await bulkUpsert(
      this.identities.collection,
      links.map(({ ref, leadId }) => ({
        updateOne: {
          filter: { _id: identityKey(workspaceId, ref) as never },
          update: { $set: { leadId }, $setOnInsert: { workspaceId, kind: ref.kind, value: ref.value, createdAt: now } },
          upsert: true,
        },
      })),
    );
  }

  /**
   * One conditional upsert per lead, unordered. Each applies only if the lead's `rev` is
   * still the one its rollup was built on (or, for a lead never rolled up, that it has
   * none), bumps it, and records the keys it remembers after this rollup. A lead
   * that changed meanwhile fails its upsert with a duplicate key (the `_id` exists but the
   * filter missed), which is how each conflict is told apart within one bulk write; those
   * leads are returned, for the caller to re-read and rebuild.
   */
  async applyRollups(rollups: readonly LeadRollup[]): Promise<Set<string>> {
    if (!rollups.length) return new Set();
    const operations = rollups.map((rollup): mongo.AnyBulkWriteOperation => {
      const set: Record<string, unknown> = { ...rollup.set, rollupKeys: rollup.remembered.join(' ') };
      const update: mongo.UpdateFilter<mongo.Document> = {
        $setOnInsert: rollup.setOnInsert,
        $set: set,
        $inc: { ...rollup.inc, rev: rollup.keys.length },
      };
      if (Object.keys(rollup.min).length) update.$min = rollup.min;
      if (Object.keys(rollup.max).length) update.$max = rollup.max;
      const addToSet = Object.entries(rollup.addToSet).map(([path, values]) => [path, { $each: values }]);
      if (addToSet.length) update.$addToSet = Object.fromEntries(addToSet);
      const filter = { _id: rollup.leadId as never, rev: rollup.expectedRev ?? { $exists: false } };
      return { updateOne: { filter, update, upsert: true } };
    });
    try {
      await this.leads.collection.bulkWrite(operations, { ordered: false });
      return new Set();
    } catch (error) {
      const conflicts = duplicateKeyIndexes(error);
      if (!conflicts) throw error;
      return new Set(conflicts.map((index) => rollups[index].leadId));
    }
  }

  async findLead(workspaceId: string, leadId: string): Promise<LeadRecord | null> {
    const doc = await this.leads.findOne({ _id: leadId, workspaceId }).lean().exec();
    return doc && toRecord(doc);
  }

  /** Sets traits and adds tags, as a journey's `update_lead` step or a CRM edit does. Repeating it changes nothing. */
  async updateProfile(
    workspaceId: string,
    leadId: string,
    change: { setTraits?: Record<string, unknown>; addTags?: readonly string[] },
    now: Date,
  ): Promise<boolean> {
    const set: Record<string, unknown> = { updatedAt: now };
    for (const [key, value] of Object.entries(change.setTraits ?? {})) set[`traits.${key}`] = value;
    const update: mongo.UpdateFilter<mongo.Document> = { $set: set };
    if (change.addTags?.length) update.$addToSet = { tags: { $each: [...change.addTags] } };
    const result = await this.leads.collection.updateOne({ _id: leadId as never, workspaceId }, update);
    return result.matchedCount > 0;
  }

  /** Records an opt-out; the first one's time is kept. */
  async markUnsubscribed(workspaceId: string, leadId: string, channel: 'email' | 'sms', at: Date): Promise<boolean> {
    const result = await this.leads.collection.updateOne(
      { _id: leadId as never, workspaceId, [`unsubscribed.${channel}`]: { $exists: false } },
      { $set: { [`unsubscribed.${channel}`]: at, updatedAt: at } },
    );
    return result.matchedCount > 0;
  }

  /**
   * Folds `source` into `target`: counters added, identities and traits the target lacks
   * copied, and `source` marked as merged. The `mergedLeadIds` guard makes a retried merge
   * add nothing twice.
   */
  async merge(workspaceId: string, source: LeadRecord, target: LeadRecord, now: Date): Promise<void> {
    const inc: Record<string, number> = {
      eventCount: source.eventCount ?? 0,
      valueSum: source.valueSum ?? 0,
      sessionCount: source.sessionCount ?? 0,
      sessionDurationMs: source.sessionDurationMs ?? 0,
    };
    for (const [type, count] of Object.entries(source.countsByType ?? {})) inc[`countsByType.${type}`] = count;
    for (const [type, value] of Object.entries(source.valueByType ?? {})) inc[`valueByType.${type}`] = value;
    for (const [day, counts] of Object.entries(source.daily ?? {}))
      for (const [type, count] of Object.entries(counts)) inc[`daily.${day}.${type}`] = count;
    const set: Record<string, unknown> = { updatedAt: now };
    for (const [key, value] of Object.entries(source.traits ?? {}))
      if (!(key in (target.traits ?? {}))) set[`traits.${key}`] = value;
    const update: mongo.UpdateFilter<mongo.Document> = {
      $inc: inc,
      $set: set,
      $addToSet: {
        userIds: { $each: source.userIds ?? [] },
        anonymousIds: { $each: source.anonymousIds ?? [] },
        mergedLeadIds: { $each: [source.id, ...(source.mergedLeadIds ?? [])] },
      },
    };
    if (source.firstSeenAt) update.$min = { firstSeenAt: source.firstSeenAt };
    if (source.lastSeenAt) update.$max = { lastSeenAt: source.lastSeenAt };
    await this.leads.collection.updateOne(
      { _id: target.id as never, workspaceId, mergedLeadIds: { $ne: source.id } },
      update,
    );
    await this.leads.collection.updateOne(
      { _id: source.id as never },
      { $set: { mergedInto: target.id, updatedAt: now } },
    );
  }
}

function toRecord({ _id, ...lead }: Lead): LeadRecord {
  return { id: _id, ...lead };
}
