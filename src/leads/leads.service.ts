import { HttpStatus, Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { createHash } from 'node:crypto';
import { AppError } from '../common/app-error';
import { KeyedLock } from '../common/keyed-lock';
import { identityKey, IdentityRef, LeadRecord, LeadsRepository, LeadState } from './leads.repository';
import { decodeKey, SessionState } from './lead.schema';
import { buildRollups, LeadActivity } from './rollups';
import { assignSessions, SessionStep } from './sessions';

/** The identity-bearing part of an incoming message. */
export interface IdentityMessage {
  type: 'track' | 'page' | 'screen' | 'identify' | 'group' | 'alias';
  userId?: string;
  anonymousId?: string;
  previousId?: string;
  timestamp: Date;
  clientSessionId?: string;
}

export type ResolvedLead = { leadId: string };
export type Resolution = ResolvedLead | { rejected: string };

const user = (value: string): IdentityRef => ({ kind: 'user', value });
const anon = (value: string): IdentityRef => ({ kind: 'anon', value });

/**
 * Lead ids are derived from the first identity a lead was seen with, so two requests that
 * race to create the same visitor's lead create the same one.
 */
const deriveLeadId = (workspaceId: string, ref: IdentityRef) =>
  `lead_${createHash('sha256').update(identityKey(workspaceId, ref)).digest('hex').slice(0, 24)}`;

@Injectable()
export class LeadsService {
  /**
   * Identity → lead, for the hot path. A merge on another API instance can leave an entry
   * stale for up to the TTL; events routed by it stay reachable through `mergedLeadIds`.
   */
  private readonly identityCache = new LRUCache<string, string>({ max: 100_000, ttl: 60_000 });

  /**
   * Rollup upserts of one lead run one at a time in this process. MongoDB applies `$inc`
   * atomically anyway, but FerretDB 1.24 (the local stack) reads, modifies and writes
   * without a lock, and loses increments that race (5 of 20 concurrent ones survive).
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

function refsOf(message: IdentityMessage): IdentityRef[] {
  const refs: IdentityRef[] = [];
  if (message.userId) refs.push(user(message.userId));
  if (message.anonymousId) refs.push(anon(message.anonymousId));
  if (message.previousId) refs.push(user(message.previousId), anon(message.previousId));
  return refs;
}

/**
 * The identity graph of one batch: what is known, what this batch links and merges. The
 * rules are Segment's and Customer.io's: an anonymous lead is folded into an identified one
 * when the two ids meet; an identified lead is never merged into another.
 */
class IdentityBatch {
  private readonly leadOfKey = new Map<string, string>();
  private readonly states = new Map<string, LeadState>();
  private readonly createdHere = new Set<string>();
  private readonly links = new Map<string, { ref: IdentityRef; leadId: string }>();
  private readonly mergedInto = new Map<string, string>();

  constructor(
    private readonly workspaceId: string,
    private readonly repository: LeadsRepository,
    private readonly now: Date,
    private readonly lock: KeyedLock,
  ) {}

  async load(refs: IdentityRef[], cache: LRUCache<string, string>): Promise<void> {
    const keys = [...new Set(refs.map((ref) => this.key(ref)))];
    const missing = keys.filter((key) => {
      const leadId = cache.get(key);
      if (leadId) this.leadOfKey.set(key, leadId);
      return !leadId;
    });
    for (const [key, leadId] of await this.repository.findIdentities(missing)) this.leadOfKey.set(key, leadId);
    await this.loadStates([...new Set(this.leadOfKey.values())]);
  }

  private async loadStates(leadIds: string[]): Promise<void> {
    const states = await this.repository.findStates(leadIds);
    const forwarded: string[] = [];
    for (const leadId of leadIds) {
      const state = states.get(leadId) ?? { id: leadId, userIds: [] };
      this.states.set(leadId, state);
      if (state.mergedInto) {
        this.mergedInto.set(leadId, state.mergedInto);
        forwarded.push(state.mergedInto);
      }
    }
    if (forwarded.length) await this.loadStates(forwarded.filter((id) => !this.states.has(id)));
  }

  /** A lead id as it stands after this batch's merges. */
  current(leadId: string): string {
    for (let next = this.mergedInto.get(leadId); next; next = this.mergedInto.get(leadId)) leadId = next;
    return leadId;
  }

  async resolve(message: IdentityMessage): Promise<Resolution> {
    if (message.type === 'alias') return this.alias(message.previousId!, message.userId!);
    if (message.userId && message.anonymousId) return { leadId: await this.link(message.userId, message.anonymousId) };
    const ref = message.userId ? user(message.userId) : anon(message.anonymousId!);
    return { leadId: this.leadOf(ref) ?? this.create([ref]) };
  }

  async save(cache: LRUCache<string, string>): Promise<void> {
    const byLead = new Map<string, IdentityRef[]>();
    for (const { ref, leadId } of this.links.values()) {
      const target = this.current(leadId);
      byLead.set(target, [...(byLead.get(target) ?? []), ref]);
      cache.set(this.key(ref), target);
    }
    for (const [leadId, refs] of byLead) await this.repository.linkIdentities(this.workspaceId, refs, leadId, this.now);
  }

  private async link(userId: string, anonymousId: string): Promise<string> {
    const userLead = this.leadOf(user(userId));
    const anonLead = this.leadOf(anon(anonymousId));
    if (!userLead && !anonLead) return this.create([user(userId), anon(anonymousId)]);
    if (userLead && !anonLead) return this.attach(anon(anonymousId), userLead);
    if (!userLead) {
      // The device's lead becomes this user's, unless it already belongs to someone else.
      return this.isIdentified(anonLead!) ? this.create([user(userId)]) : this.attach(user(userId), anonLead!);
    }
    if (userLead !== anonLead && !this.isIdentified(anonLead!)) await this.merge(anonLead!, userLead);
    return userLead;
  }

  private async alias(previousId: string, userId: string): Promise<Resolution> {
    const previousLead = this.leadOf(user(previousId)) ?? this.leadOf(anon(previousId));
    const userLead = this.leadOf(user(userId));
    if (!previousLead && !userLead) return { leadId: this.create([user(userId), anon(previousId)]) };
    if (!userLead) return { leadId: this.attach(user(userId), previousLead!) };
    if (!previousLead) return { leadId: this.attach(anon(previousId), userLead) };
    if (previousLead === userLead) return { leadId: userLead };
    if (this.isIdentified(previousLead)) {
      return {
        rejected: `previousId "${previousId}" belongs to an identified lead, which is never merged into another`,
      };
    }
    await this.merge(previousLead, userLead);
    return { leadId: userLead };
  }

  private leadOf(ref: IdentityRef): string | undefined {
    const leadId = this.leadOfKey.get(this.key(ref));
    return leadId && this.current(leadId);
  }

  private isIdentified(leadId: string): boolean {
    return (this.states.get(leadId)?.userIds.length ?? 0) > 0;
  }

  private create(refs: IdentityRef[]): string {
    const leadId = deriveLeadId(this.workspaceId, refs[0]);
    this.createdHere.add(leadId);
    if (!this.states.has(leadId)) this.states.set(leadId, { id: leadId, userIds: [] });
    for (const ref of refs) this.attach(ref, leadId);
    return leadId;
  }

  private attach(ref: IdentityRef, leadId: string): string {
    const key = this.key(ref);
    this.leadOfKey.set(key, leadId);
    this.links.set(key, { ref, leadId });
    if (ref.kind === 'user') this.states.get(leadId)?.userIds.push(ref.value);
    return leadId;
  }

  /** Folds an anonymous lead into another. A lead created in this batch has nothing stored to fold. */
  private async merge(sourceId: string, targetId: string): Promise<void> {
    this.mergedInto.set(sourceId, targetId);
    for (const [key, leadId] of this.leadOfKey) {
      if (leadId !== sourceId) continue;
      this.leadOfKey.set(key, targetId);
      const [, kind, ...value] = key.split(':');
      this.links.set(key, { ref: { kind: kind as IdentityRef['kind'], value: value.join(':') }, leadId: targetId });
    }
    if (this.createdHere.has(sourceId)) return;
    await this.lock.run([sourceId, targetId], async () => {
      const [source, target] = await Promise.all([
        this.repository.findLead(this.workspaceId, sourceId),
        this.repository.findLead(this.workspaceId, targetId),
      ]);
      if (!source || !target) return;
      for (const value of source.anonymousIds ?? [])
        this.links.set(this.key(anon(value)), { ref: anon(value), leadId: targetId });
      await this.repository.merge(this.workspaceId, source, target, this.now);
    });
  }

  private key(ref: IdentityRef): string {
    return identityKey(this.workspaceId, ref);
  }
}
