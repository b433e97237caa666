import { encodeKey, SessionState } from './lead.schema';
import { SessionStep } from './sessions';

/** What one stored event adds to its lead. */
export interface LeadActivity {
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

export interface LeadRollup {
  leadId: string;
  setOnInsert: Record<string, unknown>;
  inc: Record<string, number>;
  min: Record<string, Date>;
  max: Record<string, Date>;
  set: Record<string, unknown>;
  addToSet: Record<string, string[]>;
}

const utcDay = (date: Date) => date.toISOString().slice(0, 10);

/**
 * Folds a batch's stored events into one update per lead: counters per type and per day,
 * value sums, first/last seen, session counts, identities and traits. Pure, so it is
 * tested without a database; the repository turns each rollup into one upsert.
 */
export function buildRollups(
  workspaceId: string,
  activities: readonly LeadActivity[],
  sessionsAfter: ReadonlyMap<string, SessionState | undefined>,
  now: Date,
): LeadRollup[] {
  const byLead = new Map<string, LeadRollup>();
  for (const activity of activities) {
    let rollup = byLead.get(activity.leadId);
    if (!rollup) {
      rollup = {
        leadId: activity.leadId,
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
    apply(rollup, activity);
  }
  return [...byLead.values()];
}

function apply(rollup: LeadRollup, activity: LeadActivity): void {
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
