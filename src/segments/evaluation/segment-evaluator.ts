import { HttpStatus, Injectable } from '@nestjs/common';
import { AppError } from '../../common/app-error';
import { CONFLICT, retryOnConflict } from '../../common/retry-on-conflict';
import { LeadsService } from '../../leads/leads.service';
import { matchesCriteria } from '../criteria/evaluate-criteria';
import { criteriaEventTypes, criteriaProperties, keptEvents, readsProfile, trimEvent } from '../criteria/kept-events';
import { rollupFilter } from '../criteria/rollup-filter';
import type { Criteria } from '../criteria/segment-criteria';
import { MembershipsRepository, MemberState, StateWrite, transition, Transition } from '../memberships.repository';
import { SegmentErrorCode } from '../segment-errors';
import type { KeptEvent } from '../segment-member.model';
import { MembershipChange, SegmentChangeEvents } from './segment-change-events';

/** A segment whose membership its criteria decide. */
export interface CriteriaSegment {
  id: string;
  name: string;
  criteria: Criteria;
}

/** A lead to evaluate, with events it has that the segment may not have seen yet. */
export interface LeadToEvaluate {
  leadId: string;
  events: ReadonlyArray<{ id: string; type: string; timestamp: Date; properties?: Record<string, unknown> }>;
  /** Its traits, when the caller has them already; otherwise they are read if the criteria need them. */
  traits?: Record<string, unknown>;
}

/** A lead's standing once evaluated: member or not, and the events the segment keeps for it. */
interface Standing {
  member: boolean;
  events: KeptEvent[];
}

/**
 * Evaluates leads in criteria segments and applies what changed: the events each segment
 * keeps for the lead, whether it is a member, and one `segment_entered`/`segment_exited`
 * event per change. Real-time evaluation (after each batch) and recalculation (for every
 * lead, on a Schedule) both go through here, so they agree.
 *
 * Exact across processes: each lead's standing is one document written only if unchanged
 * since read; a lead written meanwhile is read and evaluated again. A change is written with
 * its event pending and the event is recorded after, by id, so a crash in between leaves it
 * to the next evaluation of that lead to record, once.
 */
@Injectable()
export class SegmentEvaluator {
  constructor(
    private readonly memberships: MembershipsRepository,
    private readonly leads: LeadsService,
    private readonly changeEvents: SegmentChangeEvents,
  ) {}

  async evaluate(
    workspaceId: string,
    segment: CriteriaSegment,
    leads: readonly LeadToEvaluate[],
    now: Date,
  ): Promise<MembershipChange[]> {
    const decide = this.decider(workspaceId, segment.criteria);
    const changes: MembershipChange[] = [];
    // A change a lead's state still owes, by lead: a lead re-read after a conflict owes it once.
    const owed = new Map<string, MembershipChange>();
    let pending = [...new Map(leads.map((lead) => [lead.leadId, lead])).values()];
    // Jittered retries, as for the leads' rollups: a hot lead taken by many requests at once
    // (on several API instances) loses to each other writer in turn, not forever.
    await retryOnConflict(
      `segment "${segment.id}"`,
      async () => {
        const states = await this.memberships.findStates(
          workspaceId,
          segment.id,
          pending.map(({ leadId }) => leadId),
        );
        const standing = await decide(pending);
        const writes: StateWrite[] = [];
        for (const lead of pending) {
          const state = states.get(lead.leadId) ?? { leadId: lead.leadId, member: false, entries: 0, events: [] };
          if (state.pendingChange) owed.set(state.leadId, this.changeOf(segment, state.leadId, state.pendingChange));
          // Time only moves forward for a lead: evaluated by a slower request (or a long
          // recalculation) after a later one, it is evaluated at the later one's time.
          const at = state.evaluatedAt && state.evaluatedAt > now ? state.evaluatedAt : now;
          const { member, events } = standing(lead, state, at);
          if (member === state.member && sameEvents(events, state.events)) continue;
          writes.push({ segmentId: segment.id, state, member, events, at });
        }
        const conflicts = new Set(
          (await this.memberships.writeStates(workspaceId, writes)).map(({ state }) => state.leadId),
        );
        for (const write of writes)
          if (!conflicts.has(write.state.leadId) && write.member !== write.state.member)
            changes.push(this.changeOf(segment, write.state.leadId, transition(write.state, write.member)));
        pending = pending.filter(({ leadId }) => conflicts.has(leadId));
        return pending.length ? CONFLICT : undefined;
      },
      {
        giveUp: () =>
          new AppError(
            SegmentErrorCode.Busy,
            HttpStatus.SERVICE_UNAVAILABLE,
            `segment "${segment.id}": ${pending.length} leads kept changing while evaluated; retry`,
          ),
      },
    );
    await this.announce(workspaceId, [...owed.values(), ...changes], now);
    return changes;
  }

  /**
   * How a batch of leads' standing is decided. Criteria that {@link rollupFilter} compiles
   * (all-time counts, traits, score) are one query over the leads' rollups, read after the
   * batch's own rollups were written, and keep no events; any other are evaluated over the
   * events the segment keeps per lead plus the incoming ones.
   */
  private decider(workspaceId: string, criteria: Criteria) {
    const filter = rollupFilter(criteria);
    if (filter)
      return async (leads: readonly LeadToEvaluate[]) => {
        const members = await this.leads.leadsMatchingOf(
          workspaceId,
          leads.map(({ leadId }) => leadId),
          filter,
        );
        return (lead: LeadToEvaluate): Standing => ({ member: members.has(lead.leadId), events: [] });
      };
    const types = new Set(criteriaEventTypes(criteria));
    const properties = criteriaProperties(criteria);
    const needsTraits = readsProfile(criteria);
    return async (leads: readonly LeadToEvaluate[]) => {
      const traits = needsTraits ? await this.traitsOf(workspaceId, leads) : new Map();
      return (lead: LeadToEvaluate, state: MemberState, at: Date): Standing => {
        const incoming = lead.events.filter((event) => types.has(event.type)).map((e) => trimEvent(properties, e));
        const events = keptEvents(criteria, [...state.events, ...incoming], at);
        const leadTraits = traits.get(lead.leadId) ?? lead.traits ?? {};
        const score = typeof leadTraits.score === 'number' ? leadTraits.score : undefined;
        return { member: matchesCriteria(criteria, { traits: leadTraits, score, events }, at), events };
      };
    };
  }

  /** Records each change's event, then clears it as owed. */
  private async announce(workspaceId: string, changes: readonly MembershipChange[], now: Date): Promise<void> {
    if (!changes.length) return;
    await this.changeEvents.record(workspaceId, changes, now);
    await this.memberships.clearPendingChanges(workspaceId, changes);
  }

  private async traitsOf(workspaceId: string, leads: readonly LeadToEvaluate[]) {
    const unknown = leads.filter((lead) => !lead.traits).map(({ leadId }) => leadId);
    return this.leads.findTraits(workspaceId, unknown);
  }

  private changeOf(segment: CriteriaSegment, leadId: string, change: Transition): MembershipChange {
    return { segmentId: segment.id, segmentName: segment.name, leadId, ...change };
  }
}

function sameEvents(a: readonly KeptEvent[], b: readonly KeptEvent[]): boolean {
  return a.length === b.length && a.every((event, i) => event.id === b[i].id);
}
