import { LRUCache } from 'lru-cache';
import { createHash } from 'node:crypto';
import { identityKey, IdentityRef, LeadsRepository } from './leads.repository';

/** The identity-bearing part of an incoming message. */
export interface IdentityMessage {
  type: 'track' | 'page' | 'screen' | 'identify' | 'group' | 'alias';
  userId?: string;
  anonymousId?: string;
  previousId?: string;
}

export type Resolution = { leadId: string } | { rejected: string };

export const user = (value: string): IdentityRef => ({ kind: 'user', value });
export const anon = (value: string): IdentityRef => ({ kind: 'anon', value });

/**
 * Lead ids are derived from the first identity a lead was seen with, so two requests that
 * race to create the same visitor's lead create the same one.
 */
const deriveLeadId = (workspaceId: string, ref: IdentityRef) =>
  `lead_${createHash('sha256').update(identityKey(workspaceId, ref)).digest('hex').slice(0, 24)}`;

export function refsOf(message: IdentityMessage): IdentityRef[] {
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
export class IdentityBatch {
  private readonly leadOfKey = new Map<string, string>();
  private readonly storedUserIds = new Map<string, string[]>();
  private readonly identifiedHere = new Set<string>();
  private readonly createdHere = new Set<string>();
  private readonly links = new Map<string, { ref: IdentityRef; leadId: string }>();
  private readonly mergedInto = new Map<string, string>();

  constructor(
    private readonly workspaceId: string,
    private readonly repository: LeadsRepository,
    private readonly now: Date,
  ) {}

  async load(refs: IdentityRef[], cache: LRUCache<string, string>): Promise<void> {
    const keys = [...new Set(refs.map((ref) => this.key(ref)))];
    const missing = keys.filter((key) => {
      const leadId = cache.get(key);
      if (leadId) this.leadOfKey.set(key, leadId);
      return !leadId;
    });
    for (const [key, leadId] of await this.repository.findIdentities(this.workspaceId, missing))
      this.leadOfKey.set(key, leadId);
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

  /** Writes the batch's links in one bulk write, whatever the number of leads they point at. */
  async save(cache: LRUCache<string, string>): Promise<void> {
    const links = [...this.links.values()].map(({ ref, leadId }) => ({ ref, leadId: this.current(leadId) }));
    for (const { ref, leadId } of links) cache.set(this.key(ref), leadId);
    await this.repository.linkIdentities(this.workspaceId, links, this.now);
  }

  private async link(userId: string, anonymousId: string): Promise<string> {
    const userLead = this.leadOf(user(userId));
    const anonLead = this.leadOf(anon(anonymousId));
    if (!userLead && !anonLead) return this.create([user(userId), anon(anonymousId)]);
    if (userLead && !anonLead) return this.attach(anon(anonymousId), userLead);
    if (!userLead) {
      // The device's lead becomes this user's, unless it already belongs to someone else.
      return (await this.isIdentified(anonLead!)) ? this.create([user(userId)]) : this.attach(user(userId), anonLead!);
    }
    if (userLead !== anonLead && !(await this.isIdentified(anonLead!))) await this.merge(anonLead!, userLead);
    return userLead;
  }

  private async alias(previousId: string, userId: string): Promise<Resolution> {
    const previousLead = this.leadOf(user(previousId)) ?? this.leadOf(anon(previousId));
    const userLead = this.leadOf(user(userId));
    if (!previousLead && !userLead) return { leadId: this.create([user(userId), anon(previousId)]) };
    if (!userLead) return { leadId: this.attach(user(userId), previousLead!) };
    if (!previousLead) return { leadId: this.attach(anon(previousId), userLead) };
    if (previousLead === userLead) return { leadId: userLead };
    if (await this.isIdentified(previousLead)) {
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

  /**
   * Whether a lead has a userId, from this batch's links or else the stored lead. Read only
   * when two ids meet, so the common batch (one visitor, ids already linked) reads no lead.
   */
  private async isIdentified(leadId: string): Promise<boolean> {
    if (this.identifiedHere.has(leadId)) return true;
    if (this.createdHere.has(leadId)) return false;
    let userIds = this.storedUserIds.get(leadId);
    if (!userIds) {
      userIds = (await this.repository.findStates(this.workspaceId, [leadId])).get(leadId)?.userIds ?? [];
      this.storedUserIds.set(leadId, userIds);
    }
    return userIds.length > 0;
  }

  private create(refs: IdentityRef[]): string {
    const leadId = deriveLeadId(this.workspaceId, refs[0]);
    this.createdHere.add(leadId);
    for (const ref of refs) this.attach(ref, leadId);
    return leadId;
  }

  private attach(ref: IdentityRef, leadId: string): string {
    const key = this.key(ref);
    this.leadOfKey.set(key, leadId);
    this.links.set(key, { ref, leadId });
    if (ref.kind === 'user') this.identifiedHere.add(leadId);
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
    // Two requests may merge the same pair at once, here or on another API instance: the
    // repository's merge is guarded by `mergedLeadIds`, so only one of them folds anything.
    const [source, target] = await Promise.all([
      this.repository.findLead(this.workspaceId, sourceId),
      this.repository.findLead(this.workspaceId, targetId),
    ]);
    if (!source || !target) return;
    for (const value of source.anonymousIds ?? [])
      this.links.set(this.key(anon(value)), { ref: anon(value), leadId: targetId });
    await this.repository.merge(this.workspaceId, source, target, this.now);
  }

  private key(ref: IdentityRef): string {
    return identityKey(this.workspaceId, ref);
  }
}
