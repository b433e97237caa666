import { HttpStatus, Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { AppError } from '../common/app-error';
import { LeadErrorCode } from './lead-errors';
import { CONFLICT, retryOnConflict } from '../common/retry-on-conflict';
import { anon, IdentityBatch, IdentityMessage, refsOf, Resolution, user } from './identity-batch';
import { identityKey, LeadRecord, LeadsRepository, LeadState } from './leads.repository';
import { decodeKey } from './field-keys';
import { SessionState } from './lead.model';
import { buildRollups, LeadActivity, rollupKey } from './rollups';
import { assignSessions, SessionStep } from './sessions';

/** Ids looked up per read when resolving a list of them. */
const LOOKUP_CHUNK = 1_000;
const LOOKUPS_AT_ONCE = 4;

/**
 * Where {@link LeadsService.record} stores and finds events; ingestion implements it over
 * the events collection (leads/ does not import events/).
 */
export interface EventStore {
  /** Stores each activity's event with its session and rollup key; true for each that was new. */
  store(events: ReadonlyArray<{ session?: SessionStep; rollupKey: string }>): Promise<boolean[]>;
  /** The lead and rollup key stored events were recorded under (events stored without one are left out). */
  rollupKeysOf(eventIds: readonly string[]): Promise<Array<{ eventId: string; leadId: string; rollupKey: string }>>;
  /** Every stored event of these rollups, as activities carrying the session they were stored in. */
  activitiesOf(rollups: ReadonlyArray<{ leadId: string; rollupKey: string }>): Promise<PendingActivity[]>;
  /** Moves stored events into the sessions a second placement gave them. */
  moveToSessions(moves: ReadonlyArray<{ eventId: string; sessionId: string }>): Promise<void>;
}

/** A stored event whose rollup is still to be applied. */
export type PendingActivity = LeadActivity & { rollupKey: string; storedSessionId?: string };

@Injectable()
export class LeadsService {
  /**
   * Identity → lead, for the hot path. A merge on another API instance can leave an entry
   * stale for up to the TTL; events routed by it stay reachable through `mergedLeadIds`.
   */
  private readonly identityCache = new LRUCache<string, string>({ max: 100_000, ttl: 60_000 });
  constructor(private readonly repository: LeadsRepository) {}

  /**
   * Finds or creates the lead of every message, stitching identities as identify and alias
   * (and any message carrying both ids) say. Only stitching writes here; what the events
   * add to their leads is written by {@link record} once they are stored.
   */
  async resolve(workspaceId: string, messages: readonly IdentityMessage[], now: Date): Promise<Resolution[]> {
    const batch = new IdentityBatch(workspaceId, this.repository, now);
    await batch.load(messages.flatMap(refsOf), this.identityCache);
    const resolutions: Resolution[] = [];
    for (const message of messages) resolutions.push(await batch.resolve(message));
    await batch.save(this.identityCache);
    return resolutions.map((r) => ('leadId' in r ? { leadId: batch.current(r.leadId) } : r));
  }

  /**
   * Records a batch's activity on its leads, exactly once whatever runs beside it: places
   * behavior events into sessions, lets `events` store them (it answers which were new, not
   * retries), and rolls up what is new in one conditional upsert per lead. A lead another
   * request wrote meanwhile (in this process or another) is re-read and its part redone;
   * a retried batch whose first try stored the events but lost the rollup rolls them up now.
   */
  async record(workspaceId: string, activities: readonly LeadActivity[], now: Date, events: EventStore): Promise<void> {
    const keys = keysByLead(activities);
    let states = await this.repository.findStates(workspaceId, [...keys.keys()]);
    const placed = placeInSessions(activities, sessionsOf(states));
    const inserted = await events.store(
      activities.map((activity, i) => ({ session: placed[i], rollupKey: keys.get(activity.leadId)! })),
    );
    let pending: PendingActivity[] = activities.flatMap((activity, i) =>
      inserted[i]
        ? [{ ...activity, rollupKey: keys.get(activity.leadId)!, storedSessionId: placed[i]?.sessionId }]
        : [],
    );
    const duplicates = activities.filter((_, i) => !inserted[i]).map((activity) => activity.eventId);
    if (duplicates.length)
      pending = uniqueEvents([...pending, ...(await this.lostRollups(workspaceId, duplicates, states, events))]);

    let changed: string[] = [];
    await retryOnConflict(
      'the leads of this batch',
      async () => {
        // Re-read what changed after the backoff, not before it: the write must follow the read closely.
        if (changed.length) states = await this.repository.findStates(workspaceId, changed);
        pending = pending.filter((activity) => !states.get(activity.leadId)?.rollupKeys.includes(activity.rollupKey));
        if (!pending.length) return;
        const sessions = sessionsOf(states);
        const steps = placeInSessions(pending, sessions);
        await events.moveToSessions(
          pending.flatMap((activity, i) =>
            steps[i] && steps[i].sessionId !== activity.storedSessionId
              ? [{ eventId: activity.eventId, sessionId: steps[i].sessionId }]
              : [],
          ),
        );
        const stored = pending.map((activity, i) => ({ ...activity, ...(steps[i] && { session: steps[i] }) }));
        const conflicts = await this.repository.applyRollups(buildRollups(workspaceId, stored, states, sessions, now));
        if (!conflicts.size) return;
        // Only the leads that changed are redone, from what they are by then.
        pending = pending.filter((activity) => conflicts.has(activity.leadId));
        changed = [...conflicts];
        return CONFLICT;
      },
      { maxDelayMs: 500, giveUp: () => leadsBusy([...new Set(pending.map(({ leadId }) => leadId))]) },
    );
  }

  /**
   * The events among `duplicates` whose rollup never landed: stored by an earlier try of
   * this request that failed (or is still running elsewhere) between the events and the
   * rollup. Each comes back with the whole rollup it was stored under.
   */
  private async lostRollups(
    workspaceId: string,
    duplicates: readonly string[],
    states: Map<string, LeadState>,
    events: EventStore,
  ): Promise<PendingActivity[]> {
    const stored = await events.rollupKeysOf(duplicates);
    const missingStates = [...new Set(stored.map(({ leadId }) => leadId))].filter((leadId) => !states.has(leadId));
    for (const [leadId, state] of await this.repository.findStates(workspaceId, missingStates))
      states.set(leadId, state);
    const lost = stored.filter(({ leadId, rollupKey }) => !states.get(leadId)?.rollupKeys.includes(rollupKey));
    if (!lost.length) return [];
    return events.activitiesOf(lost);
  }

  /**
   * A lead by its id or any of its identities (userId, anonymousId), following merges; null
   * when none has it (normal for journey steps and opt-outs of a lead since deleted).
   */
  async findLeadOrNull(workspaceId: string, id: string): Promise<LeadRecord | null> {
    let lead = await this.repository.findLead(workspaceId, id);
    if (!lead) {
      const keys = [identityKey(workspaceId, user(id)), identityKey(workspaceId, anon(id))];
      const leadIds = await this.repository.findIdentities(workspaceId, keys);
      const leadId = leadIds.get(keys[0]) ?? leadIds.get(keys[1]);
      lead = leadId ? await this.repository.findLead(workspaceId, leadId) : null;
    }
    for (let hops = 0; lead?.mergedInto && hops < 5; hops++)
      lead = await this.repository.findLead(workspaceId, lead.mergedInto);
    return lead;
  }

  /**
   * {@link findLeadOrNull} for many ids at once (a list imported into a segment): the lead id
   * each known id is, by a few `$in` reads per 1,000 ids rather than reads per id. Unknown ids
   * are left out of the answer.
   */
  async resolveLeadIds(workspaceId: string, ids: readonly string[]): Promise<Map<string, string>> {
    const chunks: string[][] = [];
    for (let start = 0; start < ids.length; start += LOOKUP_CHUNK) chunks.push(ids.slice(start, start + LOOKUP_CHUNK));
    const resolved = new Map<string, string>();
    // A few chunks at a time: the database reads them in parallel, about twice as fast on two cores.
    for (let next = 0; next < chunks.length; next += LOOKUPS_AT_ONCE)
      for (const found of await Promise.all(
        chunks.slice(next, next + LOOKUPS_AT_ONCE).map((chunk) => this.resolveChunk(workspaceId, chunk)),
      ))
        for (const [id, leadId] of found) resolved.set(id, leadId);
    return resolved;
  }

  private async resolveChunk(workspaceId: string, ids: readonly string[]): Promise<Map<string, string>> {
    const chunk = [...new Set(ids)];
    const direct = await this.repository.findMergeTargets(workspaceId, chunk);
    const rest = chunk.filter((id) => !direct.has(id));
    const keys = rest.flatMap((id) => [identityKey(workspaceId, user(id)), identityKey(workspaceId, anon(id))]);
    const byIdentity = await this.repository.findIdentities(workspaceId, keys);
    const found = new Map<string, string>();
    for (const id of chunk) {
      const leadId = direct.has(id)
        ? id
        : (byIdentity.get(identityKey(workspaceId, user(id))) ?? byIdentity.get(identityKey(workspaceId, anon(id))));
      if (leadId) found.set(id, leadId);
    }
    return this.followMerges(workspaceId, found, direct);
  }

  /** Each lead id as the lead it was merged into (up to five hops, as {@link findLeadOrNull}). */
  private async followMerges(
    workspaceId: string,
    found: Map<string, string>,
    known: Map<string, string | null>,
  ): Promise<Map<string, string>> {
    const targets = new Map(known);
    for (let hops = 0; ; hops++) {
      const unread = [...new Set(found.values())].filter((leadId) => !targets.has(leadId));
      for (const [leadId, into] of await this.repository.findMergeTargets(workspaceId, unread))
        targets.set(leadId, into);
      if (hops === 5) break;
      let moved = false;
      for (const [id, leadId] of found) {
        const into = targets.get(leadId);
        if (into) {
          found.set(id, into);
          moved = true;
        }
      }
      if (!moved) break;
    }
    // An identity pointing at a lead since deleted resolves to nothing.
    for (const [id, leadId] of found) if (!targets.has(leadId)) found.delete(id);
    return found;
  }

  /** {@link findLeadOrNull}, for a caller to whom an unknown lead is the client's error (404). */
  async findLead(workspaceId: string, id: string): Promise<LeadRecord> {
    const lead = await this.findLeadOrNull(workspaceId, id);
    if (!lead)
      throw new AppError(
        LeadErrorCode.NotFound,
        HttpStatus.NOT_FOUND,
        `no lead has the id, userId or anonymousId "${id}"`,
      );
    return lead;
  }

  /**
   * A lead (by id or identity) and the leads merged into it, its own id first: what a
   * `leadId` filter of events, runs, assignments or memberships matches. 404 when none.
   */
  async findLeadIds(workspaceId: string, id: string): Promise<string[]> {
    const lead = await this.findLead(workspaceId, id);
    return [lead.id, ...(lead.mergedLeadIds ?? [])];
  }

  /** Sets traits and adds tags on a lead (by id or identity); null, and nothing written, when there is none. */
  async updateProfile(
    workspaceId: string,
    id: string,
    change: { setTraits?: Record<string, unknown>; addTags?: readonly string[] },
  ): Promise<LeadRecord | null> {
    const lead = await this.findLeadOrNull(workspaceId, id);
    if (!lead) return null;
    await this.repository.updateProfile(workspaceId, lead.id, change, new Date());
    return this.findLeadOrNull(workspaceId, lead.id);
  }

  /** Opts a lead (by id or identity) out of a channel, so journeys skip its sends; false when there is no such lead. */
  async unsubscribe(workspaceId: string, id: string, channel: 'email' | 'sms'): Promise<boolean> {
    const lead = await this.findLeadOrNull(workspaceId, id);
    if (!lead) return false;
    await this.repository.markUnsubscribed(workspaceId, lead.id, channel, new Date());
    return true;
  }

  /** The profile as the API shows it: identities, traits and decoded rollups. */
  /** Traits of existing, unmerged leads, by lead id. */
  findTraits(workspaceId: string, leadIds: readonly string[]): Promise<Map<string, Record<string, unknown>>> {
    return this.repository.findTraits(workspaceId, leadIds);
  }

  /** A workspace's leads in id order after `after`, at most `limit`, with their traits (a cursor). */
  leadsInOrder(workspaceId: string, after: string | undefined, limit?: number) {
    return this.repository.leadsInOrder(workspaceId, after, limit);
  }

  /** Which of these leads match a query over their rollups and traits. */
  leadsMatchingOf(workspaceId: string, leadIds: readonly string[], filter: Record<string, unknown>) {
    return this.repository.matchingIds(workspaceId, leadIds, filter);
  }

  /** How many leads match a query over their rollups and traits, a sample in id order, and how many there are. */
  leadsMatching(workspaceId: string, filter: Record<string, unknown>, limit: number) {
    return this.repository.matching(workspaceId, filter, limit);
  }

  toProfile(lead: LeadRecord) {
    const decode = (counts: Record<string, number> = {}) =>
      Object.fromEntries(Object.entries(counts).map(([key, value]) => [decodeKey(key), value]));
    const daily = Object.fromEntries(Object.entries(lead.daily ?? {}).map(([day, counts]) => [day, decode(counts)]));
    const sessionCount = lead.sessionCount ?? 0;
    const totalSeconds = Math.round((lead.sessionDurationMs ?? 0) / 1000);
    return {
      id: lead.id,
      userId: lead.userIds?.[0] ?? null,
      identities: [
        ...(lead.userIds ?? []).map((value) => ({ type: 'userId', value })),
        ...(lead.anonymousIds ?? []).map((value) => ({ type: 'anonymousId', value })),
      ],
      traits: lead.traits ?? {},
      tags: lead.tags ?? [],
      unsubscribed: lead.unsubscribed ?? {},
      groups: Object.fromEntries(Object.entries(lead.groups ?? {}).map(([id, traits]) => [decodeKey(id), traits])),
      rollups: {
        eventCount: lead.eventCount ?? 0,
        countsByType: decode(lead.countsByType),
        daily,
        valueSum: lead.valueSum ?? 0,
        valueByType: decode(lead.valueByType),
        firstSeenAt: lead.firstSeenAt ?? null,
        lastSeenAt: lead.lastSeenAt ?? null,
      },
      sessions: {
        count: sessionCount,
        totalDurationSeconds: totalSeconds,
        averageDurationSeconds: sessionCount ? Math.round(totalSeconds / sessionCount) : 0,
        current: lead.session ?? null,
      },
      mergedLeadIds: lead.mergedLeadIds ?? [],
      createdAt: lead.createdAt,
      updatedAt: lead.updatedAt ?? lead.createdAt,
    };
  }
}

/** Each lead's rollup key for this request, over all of its events here. */
function keysByLead(activities: readonly LeadActivity[]): Map<string, string> {
  const eventIds = new Map<string, string[]>();
  for (const { leadId, eventId } of activities) {
    const ids = eventIds.get(leadId);
    if (ids) ids.push(eventId);
    else eventIds.set(leadId, [eventId]);
  }
  return new Map([...eventIds].map(([leadId, ids]) => [leadId, rollupKey(leadId, ids)]));
}

const sessionsOf = (states: ReadonlyMap<string, LeadState>) =>
  new Map([...states].map(([leadId, state]): [string, SessionState | undefined] => [leadId, state.session]));

function uniqueEvents(activities: PendingActivity[]): PendingActivity[] {
  const seen = new Set<string>();
  return activities.filter(({ eventId }) => !seen.has(eventId) && seen.add(eventId));
}

/** Past 30 conflicts in a row the client is asked to retry: its events are stored, and the retry counts them. */
const leadsBusy = (leadIds: string[]) =>
  new AppError(
    LeadErrorCode.Busy,
    HttpStatus.SERVICE_UNAVAILABLE,
    `leads ${leadIds.join(', ')} kept changing under concurrent writes; the events are stored, retry the request to count them`,
  );

/**
 * Places behavior events into sessions, per lead in time order, advancing `sessions` to
 * each lead's state after them. Identify, group and alias calls are not activity.
 */
function placeInSessions(
  activities: ReadonlyArray<LeadActivity & { storedSessionId?: string }>,
  sessions: Map<string, SessionState | undefined>,
): Array<SessionStep | undefined> {
  const steps: Array<SessionStep | undefined> = activities.map(() => undefined);
  const perLead = new Map<string, number[]>();
  activities.forEach((activity, index) => {
    if (!activity.eventType) return;
    const indexes = perLead.get(activity.leadId);
    if (indexes) indexes.push(index);
    else perLead.set(activity.leadId, [index]);
  });
  for (const [leadId, indexes] of perLead) {
    indexes.sort((a, b) => activities[a].timestamp.getTime() - activities[b].timestamp.getTime());
    const placed = assignSessions(
      leadId,
      sessions.get(leadId),
      indexes.map((i) => activities[i]),
    );
    indexes.forEach((activityIndex, i) => (steps[activityIndex] = placed.steps[i]));
    sessions.set(leadId, placed.state);
  }
  return steps;
}
