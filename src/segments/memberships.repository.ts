import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model, mongo } from 'mongoose';
import { duplicateKeyIndexes } from '../database/mongo-errors';
import { scopedId } from '../database/scoped-id';
import { KeptEvent, SegmentMember } from './segment-member.model';

/** A lead's standing in a criteria segment, as read; `rev` undefined when it has no document yet. */
export interface MemberState {
  leadId: string;
  member: boolean;
  entries: number;
  events: KeptEvent[];
  rev?: number;
  /** The time it was last evaluated at: a later evaluation never evaluates it at an earlier time. */
  evaluatedAt?: Date;
  /** A change written whose segment_entered/_exited event is not recorded yet. */
  pendingChange?: Transition;
}

/** A lead entering (a new entry) or leaving (the current entry ends). */
export interface Transition {
  change: 'entered' | 'exited';
  entry: number;
}

/** What a write from `state` to `member` is. */
export const transition = (state: MemberState, member: boolean): Transition =>
  member ? { change: 'entered', entry: state.entries + 1 } : { change: 'exited', entry: state.entries };

/** A criteria segment's new standing for one lead, to apply only if the lead's `rev` is still the one read. */
export interface StateWrite {
  segmentId: string;
  state: MemberState;
  member: boolean;
  events: KeptEvent[];
  /** The time it was evaluated at. */
  at: Date;
}

/** A static segment's move whose segment event is still to record. */
export interface OwedEvent extends Transition {
  leadId: string;
}

export interface Membership {
  segmentId: string;
  leadId: string;
  enteredAt: Date;
}

export interface MembersPage {
  before?: { at: Date; id: string };
  limit: number;
}

const memberId = (workspaceId: string, segmentId: string, leadId: string) =>
  scopedId(workspaceId, `${segmentId}:${leadId}`);

/** Who is in which segment, and since when; every query is scoped by workspace. */
@Injectable()
export class MembershipsRepository {
  constructor(@InjectModel(SegmentMember.name) private readonly memberships: Model<SegmentMember>) {}

  /**
   * Enters the leads that are not members yet, and answers which those were. Each is one
   * upsert conditional on not being a member: a lead already in makes it miss and collide
   * with its own document, which is how "already a member" is told apart. Each entry owes
   * its event until {@link clearOwedEvents}, so a crash in between does not lose it.
   */
  async enter(workspaceId: string, segmentId: string, leadIds: readonly string[], now: Date): Promise<string[]> {
    if (!leadIds.length) return [];
    const operations = leadIds.map((leadId): mongo.AnyBulkWriteOperation => ({
      updateOne: {
        filter: { _id: memberId(workspaceId, segmentId, leadId) as never, member: { $ne: true } },
        update: {
          $set: { member: true, enteredAt: now, eventOwed: 'entered' },
          $unset: { exitedAt: '' },
          $inc: { entries: 1 },
          $setOnInsert: { workspaceId, segmentId, leadId },
        },
        upsert: true,
      },
    }));
    try {
      await this.memberships.collection.bulkWrite(operations, { ordered: false });
      return [...leadIds];
    } catch (error) {
      const alreadyIn = duplicateKeyIndexes(error);
      if (!alreadyIn) throw error;
      const skipped = new Set(alreadyIn);
      return leadIds.filter((_, i) => !skipped.has(i));
    }
  }

  /**
   * Takes the leads out that are members, and answers which those were; each owes its event,
   * as an entry does. Two processes taking one lead out at once may both report it: its
   * segment_exited event is keyed by its entry, so it is still recorded once.
   */
  async exit(workspaceId: string, segmentId: string, leadIds: readonly string[], now: Date): Promise<string[]> {
    if (!leadIds.length) return [];
    const ids = leadIds.map((leadId) => memberId(workspaceId, segmentId, leadId));
    const current = await this.memberships.collection
      .find({ _id: { $in: ids as never[] }, workspaceId, member: true }, { projection: { leadId: 1 } })
      .toArray();
    if (!current.length) return [];
    await this.memberships.collection.bulkWrite(
      current.map(({ _id }) => ({
        updateOne: {
          filter: { _id, member: true },
          update: { $set: { member: false, exitedAt: now, eventOwed: 'exited' } },
        },
      })),
      { ordered: false },
    );
    return current.map(({ leadId }) => leadId as string);
  }

  /**
   * A static segment's moves whose events are not recorded yet (of these leads, or all), each
   * numbered by its entry: what {@link enter} and {@link exit} leave owed.
   */
  async owedEvents(workspaceId: string, segmentId: string, leadIds?: readonly string[]): Promise<OwedEvent[]> {
    if (leadIds && !leadIds.length) return [];
    const filter = leadIds
      ? { _id: { $in: leadIds.map((leadId) => memberId(workspaceId, segmentId, leadId)) as never[] }, workspaceId }
      : { workspaceId, segmentId };
    const docs = await this.memberships.collection
      .find({ ...filter, eventOwed: { $exists: true } }, { projection: { leadId: 1, entries: 1, eventOwed: 1 } })
      .toArray();
    return docs.map((doc) => ({
      leadId: doc.leadId as string,
      change: doc.eventOwed as Transition['change'],
      entry: (doc.entries as number) ?? 1,
    }));
  }

  /** These events recorded; a later move made meanwhile stays owed. */
  async clearOwedEvents(workspaceId: string, segmentId: string, owed: readonly OwedEvent[]): Promise<void> {
    if (!owed.length) return;
    await this.memberships.collection.bulkWrite(
      owed.map(({ leadId, change }) => ({
        updateOne: {
          filter: { _id: memberId(workspaceId, segmentId, leadId) as never, eventOwed: change },
          update: { $unset: { eventOwed: '' } },
        },
      })),
      { ordered: false },
    );
  }

  /** The standing of these leads in a criteria segment, for those that have one. */
  async findStates(
    workspaceId: string,
    segmentId: string,
    leadIds: readonly string[],
  ): Promise<Map<string, MemberState>> {
    if (!leadIds.length) return new Map();
    const docs = await this.memberships.collection
      .find(
        { _id: { $in: leadIds.map((leadId) => memberId(workspaceId, segmentId, leadId)) as never[] }, workspaceId },
        { projection: { leadId: 1, member: 1, entries: 1, events: 1, rev: 1, evaluatedAt: 1, pendingChange: 1 } },
      )
      .toArray();
    return new Map(
      docs.map((doc) => [
        doc.leadId as string,
        {
          leadId: doc.leadId as string,
          member: doc.member === true,
          entries: (doc.entries as number) ?? 0,
          events: (doc.events as KeptEvent[]) ?? [],
          rev: (doc.rev as number) ?? 0,
          ...(doc.evaluatedAt && { evaluatedAt: doc.evaluatedAt as Date }),
          ...(doc.pendingChange && { pendingChange: doc.pendingChange as Transition }),
        },
      ]),
    );
  }

  /**
   * Applies new standings, each an upsert conditional on the `rev` read (none read: no
   * document yet). A lead written meanwhile misses its filter and collides with its own
   * document; those leads are returned, per segment, to be read and evaluated again.
   */
  async writeStates(workspaceId: string, writes: readonly StateWrite[]): Promise<StateWrite[]> {
    if (!writes.length) return [];
    const operations = writes.map(({ segmentId, state, member, events, at: now }): mongo.AnyBulkWriteOperation => {
      const set: Record<string, unknown> = { member, events, evaluatedAt: now };
      const inc: Record<string, number> = { rev: 1 };
      if (member !== state.member) set.pendingChange = transition(state, member);
      if (member && !state.member) {
        set.enteredAt = now;
        inc.entries = 1;
      }
      if (!member && state.member) set.exitedAt = now;
      // A lead never in the segment has no time of entry to show; 0 sorts it last.
      const setOnInsert: Record<string, unknown> = { workspaceId, segmentId, leadId: state.leadId };
      if (!member) setOnInsert.enteredAt = new Date(0);
      if (!inc.entries) setOnInsert.entries = 0;
      return {
        updateOne: {
          filter: {
            _id: memberId(workspaceId, segmentId, state.leadId) as never,
            rev: state.rev ?? { $exists: false },
          },
          update: { $set: set, $inc: inc, $setOnInsert: setOnInsert },
          upsert: true,
        },
      };
    });
    try {
      await this.memberships.collection.bulkWrite(operations, { ordered: false });
      return [];
    } catch (error) {
      const conflicts = duplicateKeyIndexes(error);
      if (!conflicts) throw error;
      return conflicts.map((index) => writes[index]);
    }
  }

  /** Marks these changes' events as recorded; a later change written meanwhile stays owed. */
  async clearPendingChanges(
    workspaceId: string,
    changes: ReadonlyArray<Transition & { segmentId: string; leadId: string }>,
  ): Promise<void> {
    if (!changes.length) return;
    await this.memberships.collection.bulkWrite(
      changes.map(({ segmentId, leadId, change, entry }) => ({
        updateOne: {
          filter: {
            _id: memberId(workspaceId, segmentId, leadId) as never,
            'pendingChange.change': change,
            'pendingChange.entry': entry,
          },
          update: { $unset: { pendingChange: '' } },
        },
      })),
      { ordered: false },
    );
  }

  /** A page of a segment's members, latest entries first. */
  async members(workspaceId: string, segmentId: string, page: MembersPage): Promise<Membership[]> {
    const filter: mongo.Filter<mongo.Document> = { workspaceId, segmentId, member: true };
    if (page.before) {
      const { at, id } = page.before;
      filter.$or = [{ enteredAt: { $lt: at } }, { enteredAt: at, leadId: { $lt: id } }];
    }
    const docs = await this.memberships.collection
      .find(filter, { projection: { segmentId: 1, leadId: 1, enteredAt: 1 } })
      .sort({ enteredAt: -1, leadId: -1 })
      .limit(page.limit)
      .toArray();
    return docs.map(({ segmentId: s, leadId, enteredAt }) => ({ segmentId: s, leadId, enteredAt }));
  }

  /** Every lead in a segment now (static segments list at most a thousand). */
  async memberIds(workspaceId: string, segmentId: string): Promise<string[]> {
    const docs = await this.memberships.collection
      .find({ workspaceId, segmentId, member: true }, { projection: { leadId: 1 } })
      .toArray();
    return docs.map((doc) => doc.leadId as string);
  }

  async count(workspaceId: string, segmentId: string): Promise<number> {
    return this.memberships.collection.countDocuments({ workspaceId, segmentId, member: true });
  }

  /** The segments a lead is in now. */
  async segmentsOf(workspaceId: string, leadIds: readonly string[]): Promise<Membership[]> {
    const docs = await this.memberships.collection
      .find(
        { workspaceId, leadId: { $in: [...leadIds] }, member: true },
        { projection: { segmentId: 1, leadId: 1, enteredAt: 1 } },
      )
      .sort({ enteredAt: -1 })
      .toArray();
    return docs.map(({ segmentId, leadId, enteredAt }) => ({ segmentId, leadId, enteredAt }));
  }

  /** Forgets a deleted segment's memberships. */
  async removeSegment(workspaceId: string, segmentId: string): Promise<void> {
    await this.memberships.collection.deleteMany({ workspaceId, segmentId });
  }
}
