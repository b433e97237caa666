import { HttpStatus, Injectable } from '@nestjs/common';
import type { AssignAgentInput, AssignmentResult } from '../../workflows/contracts/journey-activities';
import { AppError } from '../common/app-error';
import { Conflict, CONFLICT, retryOnConflict } from '../common/retry-on-conflict';
import { LeadsService } from '../leads/leads.service';
import { AssignmentStatus } from './assignment.model';
import { AgentRecord, AgentsRepository, AssignmentRecord } from './agents.repository';
import { AgentsService } from './agents.service';
import { chooseAgent } from './assignment-strategy';
import { AgentErrorCode } from './agent-errors';

export type AssignmentView = Omit<AssignmentRecord, 'applied'>;

/** Lead trait naming the lead's current agent; tasks go to it, and branch conditions can read it. */
export const ASSIGNED_AGENT_TRAIT = 'assignedAgentId';

/** What choosing found: the agent (its turn taken), when, and whether an earlier attempt had chosen it. */
interface Choice {
  agent?: AgentRecord;
  at: Date;
  adopted: boolean;
}

/**
 * Hands leads to agents for journeys' assign_agent steps, and lets the CRM close them.
 *
 * Exact with any number of API and worker processes, without a lock:
 * - Choosing claims the chosen agent with a compare-and-set on its load and last turn,
 *   which counts the assignment on it in the same update; a chooser whose agent changed
 *   since its read chooses again from a fresh one, so turns and loads come out as if the
 *   assignments had run one at a time.
 * - Once per step: the assignment's `_id` is the step key, and an agent counts assignments
 *   by id (`openAssignmentIds`), so counting or uncounting one again changes nothing.
 * - The stored assignment is the truth. Whoever may have counted it elsewhere (an attempt
 *   that lost the insert to another attempt of the same step, or one retried after a crash)
 *   makes the agents agree with it afterwards: only its agent counts it, and only while open.
 */
@Injectable()
export class AssignmentsService {
  constructor(
    private readonly repository: AgentsRepository,
    private readonly agents: AgentsService,
    private readonly leads: LeadsService,
  ) {}

  /**
   * Assigns the step's lead to an agent, once per step: a retry finds the assignment by its
   * key and returns it. Finding no eligible agent is an outcome (`no_agent`), recorded too.
   */
  async assign(step: AssignAgentInput): Promise<AssignmentResult> {
    const { workspaceId, key } = step;
    const earlier = await this.repository.findAssignment(workspaceId, key);
    if (earlier) return this.settle(workspaceId, earlier, { othersMayCount: true });

    const lead = await this.leads.findLeadOrNull(workspaceId, step.leadId);
    return retryOnConflict(`the agents of workspace ${workspaceId}`, async () => {
      const choice = await this.choose(step, lead?.traits ?? {});
      if (choice === CONFLICT) return CONFLICT;
      const { agent } = choice;
      const assignment: AssignmentRecord = {
        id: key,
        leadId: lead?.id ?? step.leadId,
        ...(agent && { agentId: agent.id, agentName: agent.name }),
        journeyId: step.journeyId,
        runId: step.runId,
        stepId: step.stepId,
        ...(step.reason && { reason: step.reason }),
        status: agent ? 'open' : 'no_agent',
        applied: !agent,
        createdAt: choice.at,
      };
      if (await this.repository.insertAssignment(workspaceId, assignment)) {
        return this.settle(workspaceId, assignment, { othersMayCount: choice.adopted });
      }
      // Another attempt of this step stored its assignment meanwhile: its choice stands, ours is given back.
      const stored = await this.repository.findAssignment(workspaceId, key);
      return this.settle(workspaceId, stored!, { othersMayCount: true });
    });
  }

  /** The workspace's assignments, newest first; `leadId` may be a lead id, userId or anonymousId. */
  async list(
    workspaceId: string,
    query: { leadId?: string; agentId?: string; status?: AssignmentStatus; limit: number },
  ): Promise<AssignmentView[]> {
    const { leadId, ...filter } = query;
    const leadIds = leadId ? await this.leads.findLeadIds(workspaceId, leadId) : undefined;
    const found = await this.repository.listAssignments(workspaceId, { ...filter, ...(leadIds && { leadIds }) });
    return found.map(toView);
  }

  /** Closes an assignment (closing a closed one changes nothing), and its agent stops counting it. */
  async close(workspaceId: string, id: string): Promise<AssignmentView> {
    const assignment = await this.find(workspaceId, id);
    if (assignment.status === 'no_agent') {
      throw new AppError(
        AgentErrorCode.AssignmentConflict,
        HttpStatus.CONFLICT,
        `assignment "${id}" found no agent to close`,
      );
    }
    if (assignment.status === 'open') await this.repository.closeAssignment(workspaceId, id, new Date());
    // After the status changes, so that whoever counts the assignment from then on sees it
    // closed (see settle); by id, so exactly once however many closes race, and a close that
    // crashed before this line is finished by the next one.
    if (assignment.agentId) await this.repository.uncountAssignment(workspaceId, assignment.agentId, id);
    return toView(await this.find(workspaceId, id));
  }

  /**
   * The agent for the step with its turn taken (and the step counted on it), or CONFLICT
   * when that agent changed since it was read. An agent that counts the step already is the
   * choice of another attempt of it (still running, or crashed before storing it), and
   * stays the choice.
   *
   * The agents are read before looking for one that counts the step: then two attempts of
   * one step that both find none read agents before either claims, and so, their turns
   * being in the same order, choose the same agent; the later claim fails and adopts the
   * first. Had they chosen different agents, the loser would give its count back, but the
   * turn it took would be lost to round robin.
   */
  private async choose(step: AssignAgentInput, leadTraits: Record<string, unknown>): Promise<Choice | Conflict> {
    const { workspaceId, key } = step;
    const active = await this.agents.list(workspaceId, { active: true });
    const [counting] = await this.repository.findAgentsCounting(workspaceId, key);
    if (counting) return { agent: counting, at: new Date(), adopted: true };
    const agent = chooseAgent(active, {
      strategy: step.strategy,
      ...(step.matchTrait && { matchTrait: step.matchTrait }),
      leadTraits,
    });
    const at = nextTurnTime(active);
    if (agent && !(await this.repository.claimTurn(workspaceId, agent, key, at))) return CONFLICT;
    return { agent, at, adopted: false };
  }

  /**
   * Makes the agents agree with the stored assignment, then finishes it: its agent counts it
   * while it is open, no other agent does, and the lead's trait names the agent.
   */
  private async settle(
    workspaceId: string,
    assignment: AssignmentRecord,
    { othersMayCount }: { othersMayCount: boolean },
  ): Promise<AssignmentResult> {
    const { id, agentId } = assignment;
    const open = assignment.status === 'open';
    if (othersMayCount) await this.repository.uncountElsewhere(workspaceId, id, open ? agentId : undefined);
    if (!assignment.applied) {
      if (open && agentId) {
        // Counted when chosen, normally; this counts one an attempt stored uncounted. Should a
        // close have come in between, its uncounting may have run before this counting: undo it.
        if (await this.repository.countAssignment(workspaceId, agentId, id, assignment.createdAt)) {
          const current = await this.repository.findAssignment(workspaceId, id);
          if (current?.status !== 'open') await this.repository.uncountAssignment(workspaceId, agentId, id);
        }
        await this.setLeadAgent(workspaceId, assignment.leadId, agentId);
      }
      await this.repository.markApplied(workspaceId, id);
    }
    return agentId
      ? {
          status: 'assigned',
          assignmentId: id,
          agentId,
          ...(assignment.agentName && { agentName: assignment.agentName }),
        }
      : { status: 'no_agent', assignmentId: id };
  }

  private async find(workspaceId: string, id: string): Promise<AssignmentRecord> {
    const assignment = await this.repository.findAssignment(workspaceId, id);
    if (!assignment) {
      throw new AppError(AgentErrorCode.AssignmentNotFound, HttpStatus.NOT_FOUND, `no assignment has the id "${id}"`);
    }
    return assignment;
  }

  /** A lead that never existed is left alone: the assignment still stands for the agent. */
  private async setLeadAgent(workspaceId: string, leadId: string, agentId: string): Promise<void> {
    await this.leads.updateProfile(workspaceId, leadId, { setTraits: { [ASSIGNED_AGENT_TRAIT]: agentId } });
  }
}

/**
 * Now, or just after the latest assignment if the clock has not moved on: round robin
 * orders agents by their last assignment, and two in the same millisecond would tie.
 */
function nextTurnTime(agents: ReadonlyArray<{ lastAssignedAt?: Date }>): Date {
  const latest = Math.max(0, ...agents.map((agent) => agent.lastAssignedAt?.getTime() ?? 0));
  return new Date(Math.max(Date.now(), latest + 1));
}

const toView = ({ applied: _, ...assignment }: AssignmentRecord): AssignmentView => assignment;
