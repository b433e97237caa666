import { createHash } from 'node:crypto';
import { encodeKey } from './field-keys';
import { SessionState } from './lead.model';
import { SessionStep } from './sessions';

/** What one stored event adds to its lead. */
export interface LeadActivity {
  /** The stored event's `_id`. */
  eventId: string;
  leadId: string;
  timestamp: Date;
  receivedAt: Date;
  /** Catalog type of a track/page/screen event; identify, group and alias carry none. */
  eventType?: string;
  value?: number;
  userId?: string;
  anonymousId?: string;
  traits?: Record<string, unknown>;
  group?: { id: string; traits: Record<string, unknown> };
  /** The session id the client sent, if any; otherwise sessions are derived. */
  clientSessionId?: string;
  session?: SessionStep;
}

/** What a rollup is built on: the lead's state as read. */
export interface RollupBase {
  rev?: number;
  /** The rollup keys the lead remembers, oldest first. */
  rollupKeys: readonly string[];
}

export interface LeadRollup {
  leadId: string;
  /** The lead's `rev` when its state was read; the write applies only if it is unchanged. */
  expectedRev?: number;
  /** Rollup keys this write applies. */
  keys: string[];
  /**
   * The keys the lead remembers after this write (the last {@link REMEMBERED_ROLLUP_KEYS}),
   * recorded on it so none is ever applied twice. Written whole: the write applies only to
   * the `rev` they were read with.
   */
  remembered: string[];
  setOnInsert: Record<string, unknown>;
  inc: Record<string, number>;
  min: Record<string, Date>;
  max: Record<string, Date>;
  set: Record<string, unknown>;
  addToSet: Record<string, string[]>;
}

/**
 * How many recent rollup keys a lead remembers. A key is looked for only when a request
 * carries events that were already stored (a client's retry), moments after the first try:
 * 32 later writes to the same lead in between would be needed to forget one.
 */
export const REMEMBERED_ROLLUP_KEYS = 32;

/**
 * The key of one request's rollup of one lead: a hash of its events' ids. A client that
 * retries a batch sends the same events, so the retry computes the key the first try wrote.
 */
export function rollupKey(leadId: string, eventIds: readonly string[]): string {
  const ids = JSON.stringify([leadId, ...[...eventIds].sort()]); // unambiguous, whatever the ids hold
  return createHash('sha256').update(ids).digest('base64url').slice(0, 22);
}

/**
 * The rollup keys a lead remembers, oldest first, as stored: one space-separated string (one
 * field, not one per key: a smaller document, which FerretDB reads and rewrites on every
 * rollup), or, on a lead written before, an object of ring slots, slot `i` written at a `rev`
 * ≡ i (mod 32), so the oldest is at `rev % 32`.
 */
export function rememberedKeys(stored: unknown, rev: number | undefined): string[] {
  if (typeof stored === 'string') return stored ? stored.split(' ') : [];
  const slots = (stored ?? {}) as Record<string, string>;
  const oldest = (rev ?? 0) % REMEMBERED_ROLLUP_KEYS;
  return Array.from({ length: REMEMBERED_ROLLUP_KEYS }, (_, i) => slots[(oldest + i) % REMEMBERED_ROLLUP_KEYS]).filter(
    (key) => key !== undefined,
  );
}

const utcDay = (date: Date) => date.toISOString().slice(0, 10);

/**
 * Folds stored events into one update per lead: counters per type and per day, value sums,
 * first/last seen, session counts, identities and traits, conditional on the lead's `rev`
 * as read (`states`) and recording the rollup keys applied. Pure, so it is tested without a
 * database; the repository turns each rollup into one conditional upsert.
 */
export function buildRollups(
  workspaceId: string,
  activities: ReadonlyArray<LeadActivity & { rollupKey: string }>,
  states: ReadonlyMap<string, RollupBase>,
  sessionsAfter: ReadonlyMap<string, SessionState | undefined>,
  now: Date,
): LeadRollup[] {
  const byLead = new Map<string, Omit<LeadRollup, 'remembered'>>();
  for (const activity of activities) {
    let rollup = byLead.get(activity.leadId);
    if (!rollup) {
      rollup = {
        leadId: activity.leadId,
        expectedRev: states.get(activity.leadId)?.rev,
        keys: [],
        setOnInsert: { workspaceId, createdAt: activity.receivedAt },
        inc: {},
        min: {},
        max: {},
        set: { updatedAt: now },
        addToSet: {},
      };
      const session = sessionsAfter.get(activity.leadId);
      if (session) rollup.set.session = session;
      byLead.set(activity.leadId, rollup);
    }
    if (!rollup.keys.includes(activity.rollupKey)) rollup.keys.push(activity.rollupKey);
    apply(rollup, activity);
  }
  return [...byLead.values()].map((rollup) => ({
    ...rollup,
    remembered: [...(states.get(rollup.leadId)?.rollupKeys ?? []), ...rollup.keys].slice(-REMEMBERED_ROLLUP_KEYS),
  }));
}

function apply(rollup: Omit<LeadRollup, 'remembered'>, activity: LeadActivity): void {
  const inc = (path: string, by: number) => (rollup.inc[path] = (rollup.inc[path] ?? 0) + by);
  const add = (path: string, value: string | undefined) => {
    if (value === undefined) return;
    const values = (rollup.addToSet[path] ??= []);
    if (!values.includes(value)) values.push(value);
  };

  if (!rollup.min.firstSeenAt || activity.timestamp < rollup.min.firstSeenAt)
    rollup.min.firstSeenAt = activity.timestamp;
  if (!rollup.max.lastSeenAt || activity.timestamp > rollup.max.lastSeenAt) rollup.max.lastSeenAt = activity.timestamp;
  add('userIds', activity.userId);
  add('anonymousIds', activity.anonymousId);
  for (const [key, value] of Object.entries(activity.traits ?? {})) rollup.set[`traits.${key}`] = value;
  if (activity.group) rollup.set[`groups.${encodeKey(activity.group.id)}`] = activity.group.traits;

  if (activity.eventType) {
    const type = encodeKey(activity.eventType);
    inc('eventCount', 1);
    inc(`countsByType.${type}`, 1);
    inc(`daily.${utcDay(activity.timestamp)}.${type}`, 1);
    if (activity.value !== undefined) {
      inc('valueSum', activity.value);
      inc(`valueByType.${type}`, activity.value);
    }
  }
  if (activity.session?.startsSession) inc('sessionCount', 1);
  if (activity.session?.extendsByMs) inc('sessionDurationMs', activity.session.extendsByMs);
}
