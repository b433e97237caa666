import { HttpStatus, Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { AppError } from '../common/app-error';
import { KeyedLock } from '../common/keyed-lock';
import { anon, IdentityBatch, IdentityMessage, refsOf, Resolution, user } from './identity-batch';
import { identityKey, LeadRecord, LeadsRepository } from './leads.repository';
import { decodeKey, SessionState } from './lead.schema';
import { buildRollups, LeadActivity } from './rollups';
import { assignSessions, SessionStep } from './sessions';

@Injectable()
export class LeadsService {
  /**
   * Identity → lead, for the hot path. A merge on another API instance can leave an entry
   * stale for up to the TTL; events routed by it stay reachable through `mergedLeadIds`.
   */
  private readonly identityCache = new LRUCache<string, string>({ max: 100_000, ttl: 60_000 });

  /**
   * One lead's "place in sessions → store events → roll up" runs one request at a time in
   * this process: a session continues from the lead's last state, and FerretDB 1.24 (the
   * local stack) applies `$inc` as an unlocked read-modify-write that loses racing
   * increments (5 of 20 concurrent ones survive; MongoDB's are atomic).
   */
  private readonly leadLock = new KeyedLock();

  /** Leads' current sessions; written only under {@link leadLock}, so it is exact in this process. */
  private readonly sessionCache = new LRUCache<string, SessionState>({ max: 100_000, ttl: 60 * 60_000 });

  constructor(private readonly repository: LeadsRepository) {}

  /**
   * Finds or creates the lead of every message, stitching identities as identify and alias
   * (and any message carrying both ids) say. Only stitching writes here; what the events
   * add to their leads is written by {@link record} once they are stored.
   */
  async resolve(workspaceId: string, messages: readonly IdentityMessage[], now: Date): Promise<Resolution[]> {
    const batch = new IdentityBatch(workspaceId, this.repository, now, this.leadLock);
    await batch.load(messages.flatMap(refsOf), this.identityCache);
    const resolutions: Resolution[] = [];
    for (const message of messages) resolutions.push(await batch.resolve(message));
    await batch.save(this.identityCache);
    return resolutions.map((r) => ('leadId' in r ? { leadId: batch.current(r.leadId) } : r));
  }

  /**
   * Records a batch's activity on its leads. With each lead's lock held, it places behavior
   * events into sessions, lets `store` write the events (it answers which were new, not
   * retries), and adds the new ones to the leads' rollups in one upsert per lead.
   */
  async record(
    workspaceId: string,
    activities: readonly LeadActivity[],
    now: Date,
    store: (sessions: ReadonlyArray<SessionStep | undefined>) => Promise<boolean[]>,
  ): Promise<void> {
    const leadIds = [...new Set(activities.map((activity) => activity.leadId))];
    await this.leadLock.run(leadIds, async () => {
      const sessions = await this.sessionStates(leadIds);
      const steps = placeInSessions(activities, sessions);
      const inserted = await store(steps);
      const stored = activities.flatMap((activity, i) =>
        inserted[i] ? [{ ...activity, ...(steps[i] && { session: steps[i] }) }] : [],
      );
      if (!stored.length) return;
      const storedLeads = new Set(stored.map((activity) => activity.leadId));
      const sessionsAfter = new Map([...sessions].filter(([leadId]) => storedLeads.has(leadId)));
      await this.repository.applyRollups(buildRollups(workspaceId, stored, sessionsAfter, now));
      for (const [leadId, session] of sessionsAfter) if (session) this.sessionCache.set(leadId, session);
    });
  }

  /** Each lead's current session; from this process's cache, as every change went through it. */
  private async sessionStates(leadIds: readonly string[]): Promise<Map<string, SessionState | undefined>> {
    const states = new Map(leadIds.map((leadId) => [leadId, this.sessionCache.get(leadId)]));
    const missing = leadIds.filter((leadId) => !states.get(leadId));
    for (const [leadId, state] of await this.repository.findStates(missing)) states.set(leadId, state.session);
    return states;
  }

  /** A lead by its id or any of its identities (userId, anonymousId), following merges. */
  async findLead(workspaceId: string, id: string): Promise<LeadRecord> {
    let lead = await this.repository.findLead(workspaceId, id);
    if (!lead) {
      const keys = [identityKey(workspaceId, user(id)), identityKey(workspaceId, anon(id))];
      const leadIds = await this.repository.findIdentities(keys);
      const leadId = leadIds.get(keys[0]) ?? leadIds.get(keys[1]);
      lead = leadId ? await this.repository.findLead(workspaceId, leadId) : null;
    }
    for (let hops = 0; lead?.mergedInto && hops < 5; hops++)
      lead = await this.repository.findLead(workspaceId, lead.mergedInto);
    if (!lead)
      throw new AppError('LEAD_NOT_FOUND', HttpStatus.NOT_FOUND, `no lead has the id, userId or anonymousId "${id}"`);
    return lead;
  }

  /** Sets traits and adds tags on a lead (by id or identity). */
  async updateProfile(
    workspaceId: string,
    id: string,
    change: { setTraits?: Record<string, unknown>; addTags?: readonly string[] },
  ): Promise<LeadRecord> {
    const lead = await this.findLead(workspaceId, id);
    await this.repository.updateProfile(workspaceId, lead.id, change, new Date());
    return this.findLead(workspaceId, lead.id);
  }

  /** Opts a lead (by id or identity) out of a channel; journeys then skip its sends. */
  async unsubscribe(workspaceId: string, id: string, channel: 'email' | 'sms'): Promise<void> {
    const lead = await this.findLead(workspaceId, id);
    await this.repository.markUnsubscribed(workspaceId, lead.id, channel, new Date());
  }

  /** The profile as the API shows it: identities, traits and decoded rollups. */
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

/**
 * Places behavior events into sessions, per lead in time order, advancing `sessions` to
 * each lead's state after them. Identify, group and alias calls are not activity.
 */
function placeInSessions(
  activities: readonly LeadActivity[],
  sessions: Map<string, SessionState | undefined>,
): Array<SessionStep | undefined> {
  const steps: Array<SessionStep | undefined> = activities.map(() => undefined);
  const perLead = new Map<string, number[]>();
  activities.forEach((activity, index) => {
    if (activity.eventType) perLead.set(activity.leadId, [...(perLead.get(activity.leadId) ?? []), index]);
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
