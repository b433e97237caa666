import { HttpStatus, Injectable } from '@nestjs/common';
import type { AssignmentResult, JourneyActivities } from '../../workflows/contracts/journey-activities';
import { AppError } from '../common/app-error';
import { LeadsService } from '../leads/leads.service';
import { AssignmentStatus } from './agent.schema';
import { AgentsRepository, AssignmentRecord } from './agents.repository';
import { AgentsService } from './agents.service';
import { chooseAgent } from './assignment-strategy';
import { findLeadOrNull, isLeadNotFound, leadIdsOf } from './lead-lookup';

export type AssignAgentStep = Parameters<JourneyActivities['assignAgent']>[0];
export type AssignmentView = Omit<AssignmentRecord, 'applied'>;

/** Lead trait naming the lead's current agent; tasks go to it, and branch conditions can read it. */
export const ASSIGNED_AGENT_TRAIT = 'assignedAgentId';

/** Hands leads to agents for journeys' assign_agent steps, and lets the CRM close them. */
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
  assign(step: AssignAgentStep): Promise<AssignmentResult> {
    const { workspaceId, key } = step;
    return this.agents.serialized(workspaceId, async () => {
      const earlier = await this.repository.findAssignment(workspaceId, key);
      if (earlier) return this.apply(workspaceId, earlier);

      const lead = await findLeadOrNull(this.leads, workspaceId, step.leadId);
      const active = await this.agents.list(workspaceId, { active: true });
      const agent = chooseAgent(active, {
        strategy: step.strategy,
        ...(step.matchTrait && { matchTrait: step.matchTrait }),
        leadTraits: lead?.traits ?? {},
      });
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
        createdAt: nextTurnTime(active),
      };
      if (await this.repository.insertAssignment(workspaceId, assignment)) return this.apply(workspaceId, assignment);
      // Another worker stored this step's assignment meanwhile; its choice stands.
      return this.apply(workspaceId, (await this.repository.findAssignment(workspaceId, key))!);
    });
  }

  /** The workspace's assignments, newest first; `leadId` may be a lead id, userId or anonymousId. */
  async list(
    workspaceId: string,
    query: { leadId?: string; agentId?: string; status?: AssignmentStatus; limit: number },
  ): Promise<AssignmentView[]> {
    const { leadId, ...filter } = query;
    const leadIds = leadId ? await leadIdsOf(this.leads, workspaceId, leadId) : undefined;
    const found = await this.repository.listAssignments(workspaceId, { ...filter, ...(leadIds && { leadIds }) });
    return found.map(toView);
  }

  /** Closes an assignment (closing a closed one changes nothing) and recounts its agent's open ones. */
  close(workspaceId: string, id: string): Promise<AssignmentView> {
    return this.agents.serialized(workspaceId, async () => {
      const assignment = await this.find(workspaceId, id);
      if (assignment.status === 'no_agent') {
        throw new AppError('ASSIGNMENT_CONFLICT', HttpStatus.CONFLICT, `assignment "${id}" found no agent to close`);
      }
      if (assignment.status === 'open' && assignment.agentId) {
        await this.repository.closeAssignment(workspaceId, id, new Date());
        // A count, not a decrement: it also mends any drift a crash left behind.
        const open = await this.repository.countOpenAssignments(workspaceId, assignment.agentId);
        await this.repository.setOpenAssignments(workspaceId, assignment.agentId, open);
      }
      return toView(await this.find(workspaceId, id));
    });
  }

  /** Counts a stored assignment on its agent and lead, unless that was done already. */
  private async apply(workspaceId: string, assignment: AssignmentRecord): Promise<AssignmentResult> {
    if (!assignment.applied) {
      // Closed before a crashed attempt was retried: the close recounted the agent already.
      if (assignment.status === 'open' && assignment.agentId) {
        await this.repository.countAssignment(workspaceId, assignment.agentId, assignment.createdAt);
        await this.setLeadAgent(workspaceId, assignment.leadId, assignment.agentId);
      }
      await this.repository.markApplied(workspaceId, assignment.id);
    }
    return assignment.agentId
      ? {
          status: 'assigned',
          assignmentId: assignment.id,
          agentId: assignment.agentId,
          ...(assignment.agentName && { agentName: assignment.agentName }),
        }
      : { status: 'no_agent', assignmentId: assignment.id };
  }

  private async find(workspaceId: string, id: string): Promise<AssignmentRecord> {
    const assignment = await this.repository.findAssignment(workspaceId, id);
    if (!assignment) {
      throw new AppError('ASSIGNMENT_NOT_FOUND', HttpStatus.NOT_FOUND, `no assignment has the id "${id}"`);
    }
    return assignment;
  }

  private async setLeadAgent(workspaceId: string, leadId: string, agentId: string): Promise<void> {
    try {
      await this.leads.updateProfile(workspaceId, leadId, { setTraits: { [ASSIGNED_AGENT_TRAIT]: agentId } });
    } catch (error) {
      if (!isLeadNotFound(error)) throw error;
    }
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
