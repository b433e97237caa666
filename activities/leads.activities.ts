import type { JourneyActivities, LeadFacts, UpdateLeadInput } from '../workflows/contracts/journey-activities';

/** A lead's profile as far as journeys read it. */
export interface LeadProfile {
  id: string;
  traits: Record<string, unknown>;
  rollups: Record<string, unknown> & { daily?: Record<string, unknown> };
  sessions: { count: number };
}

/**
 * What lead steps need from the app; the worker hands in LeadsService. `findLeadOrNull`
 * follows merges and answers null for an unknown lead; so does `updateProfile`.
 */
export interface LeadStore {
  findLeadOrNull(workspaceId: string, id: string): Promise<{ id: string } | null>;
  toProfile(lead: { id: string }): LeadProfile;
  updateProfile(
    workspaceId: string,
    id: string,
    change: { setTraits?: Record<string, unknown>; addTags?: readonly string[] },
  ): Promise<unknown>;
}

export interface LeadsDeps {
  leads: LeadStore;
}

/**
 * Days of per-day counts handed to workflows. Conditions cannot name a relative day, and
 * every result is kept in the run's history, so a long-lived lead's full calendar would
 * only bloat it.
 */
const DAILY_DAYS = 30;

export function createLeadsActivities({ leads }: LeadsDeps) {
  return {
    /** The lead's traits, rollups and time zone; `exists: false` for a lead merged away or never seen. */
    async getLeadFacts({ workspaceId, leadId }: { workspaceId: string; leadId: string }): Promise<LeadFacts> {
      const lead = await leads.findLeadOrNull(workspaceId, leadId);
      // findLeadOrNull follows merges: a different id means this lead was folded into another.
      if (!lead || lead.id !== leadId) return { exists: false, traits: {}, rollups: {} };
      const { traits, rollups, sessions } = leads.toProfile(lead);
      const timezone = ianaZone(traits.timezone);
      return {
        exists: true,
        traits,
        rollups: { ...rollups, daily: recentDays(rollups.daily ?? {}, new Date()), sessionCount: sessions.count },
        ...(timezone && { timezone }),
      };
    },

    /** Sets traits and adds tags; repeating it changes nothing. A lead that never existed is left alone. */
    async updateLead({ workspaceId, leadId, setTraits, addTags }: UpdateLeadInput): Promise<void> {
      if (!setTraits && !addTags?.length) return;
      await leads.updateProfile(workspaceId, leadId, { ...(setTraits && { setTraits }), ...(addTags && { addTags }) });
    },
  } satisfies Pick<JourneyActivities, 'getLeadFacts' | 'updateLead'>;
}

/** The zone's canonical IANA name, or undefined when Intl does not know it. */
export function ianaZone(value: unknown): string | undefined {
  if (typeof value !== 'string' || !value.trim()) return undefined;
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: value.trim() }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}

/** `daily` keeps `YYYY-MM-DD` keys; only the last {@link DAILY_DAYS} UTC days are kept. */
function recentDays(daily: Record<string, unknown>, now: Date): Record<string, unknown> {
  const first = new Date(now.getTime() - (DAILY_DAYS - 1) * 86_400_000).toISOString().slice(0, 10);
  return Object.fromEntries(Object.entries(daily).filter(([day]) => day >= first));
}
