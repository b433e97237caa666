import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { FilterQuery, Model } from 'mongoose';
import { ignoreDuplicate } from '../database/mongo-errors';
import { scopedId, unscopedId } from '../database/scoped-id';
import { Agent } from './agent.model';
import { Assignment, AssignmentStatus } from './assignment.model';

export type AgentRecord = Omit<Agent, '_id' | 'workspaceId' | 'openAssignmentIds'> & { id: string };
export type AgentChanges = Partial<Pick<Agent, 'name' | 'email' | 'active' | 'traits'>>;
export type AssignmentRecord = Omit<Assignment, '_id' | 'workspaceId'> & { id: string };

export interface AssignmentFilter {
  leadIds?: string[];
  agentId?: string;
  status?: AssignmentStatus;
  limit: number;
}

/** An agent as the API and the strategies see it: the ids behind its count stay in the database. */
const agentFields = { openAssignmentIds: 0 } as const;

/** Agents and the assignments journeys give them; every query is scoped by workspace. */
@Injectable()
export class AgentsRepository {
  constructor(
    @InjectModel(Agent.name) private readonly agents: Model<Agent>,
    @InjectModel(Assignment.name) private readonly assignments: Model<Assignment>,
  ) {}

  /** False when the id, or the email within the workspace, is taken. */
  async insertAgent(workspaceId: string, { id, ...agent }: AgentRecord): Promise<boolean> {
    return ignoreDuplicate(() => this.agents.collection.insertOne({ _id: id as never, workspaceId, ...agent }));
  }

  async findAgent(workspaceId: string, id: string): Promise<AgentRecord | null> {
    const doc = await this.agents.findOne({ _id: id, workspaceId }, agentFields).lean().exec();
    return doc && toAgent(doc);
  }

  /** A workspace's agents in creation order; a small collection, read whole. */
  async listAgents(workspaceId: string, only: { active?: boolean } = {}): Promise<AgentRecord[]> {
    const filter: FilterQuery<Agent> = { workspaceId, ...(only.active !== undefined && { active: only.active }) };
    const docs = await this.agents.find(filter, agentFields).sort({ createdAt: 1, _id: 1 }).lean().exec();
    return docs.map(toAgent);
  }

  /** False when no such agent; throws a duplicate-key error when the new email is taken. */
  async updateAgent(workspaceId: string, id: string, changes: AgentChanges, now: Date): Promise<boolean> {
    const result = await this.agents.updateOne({ _id: id, workspaceId }, { $set: { ...changes, updatedAt: now } });
    return result.matchedCount > 0;
  }

  /** The agents counting `assignmentId`: normally none before it is stored, and its own agent after. */
  async findAgentsCounting(workspaceId: string, assignmentId: string): Promise<AgentRecord[]> {
    const docs = await this.agents
      .find({ workspaceId, openAssignmentIds: assignmentId }, agentFields)
      .sort({ _id: 1 })
      .lean()
      .exec();
    return docs.map(toAgent);
  }

  /**
   * Gives `agent` its turn and counts `assignmentId` on it, if it is still active and as
   * `seen` (same load, same last turn): false when another assignment, a close or an edit
   * got there first, and the choice has to be made again from a fresh read.
   */
  async claimTurn(workspaceId: string, seen: AgentRecord, assignmentId: string, at: Date): Promise<boolean> {
    const result = await this.agents.updateOne(
      {
        _id: seen.id,
        workspaceId,
        active: true,
        openAssignments: seen.openAssignments,
        lastAssignedAt: seen.lastAssignedAt ?? { $exists: false },
        openAssignmentIds: { $ne: assignmentId },
      },
      { $inc: { openAssignments: 1 }, $addToSet: { openAssignmentIds: assignmentId }, $set: { lastAssignedAt: at } },
    );
    return result.modifiedCount === 1;
  }

  /** Counts `assignmentId` on the agent unless it does already; true if this call counted it. */
  async countAssignment(workspaceId: string, agentId: string, assignmentId: string, at: Date): Promise<boolean> {
    const result = await this.agents.updateOne(
      { _id: agentId, workspaceId, openAssignmentIds: { $ne: assignmentId } },
      { $inc: { openAssignments: 1 }, $addToSet: { openAssignmentIds: assignmentId }, $max: { lastAssignedAt: at } },
    );
    return result.modifiedCount === 1;
  }

  /** Stops counting `assignmentId` on the agent, if it does: exactly once however often it is called. */
  async uncountAssignment(workspaceId: string, agentId: string, assignmentId: string): Promise<boolean> {
    const result = await this.agents.updateOne(
      { _id: agentId, workspaceId, openAssignmentIds: assignmentId },
      { $inc: { openAssignments: -1 }, $pull: { openAssignmentIds: assignmentId } },
    );
    return result.modifiedCount === 1;
  }

  /** Stops counting `assignmentId` on every agent but `keep` (on every agent when `keep` is undefined). */
  async uncountElsewhere(workspaceId: string, assignmentId: string, keep: string | undefined): Promise<void> {
    await this.agents.updateMany(
      { workspaceId, openAssignmentIds: assignmentId, ...(keep && { _id: { $ne: keep } }) },
      { $inc: { openAssignments: -1 }, $pull: { openAssignmentIds: assignmentId } },
    );
  }

  /** False when the assignment already exists (another attempt of the same step stored it). */
  async insertAssignment(workspaceId: string, { id, ...assignment }: AssignmentRecord): Promise<boolean> {
    return ignoreDuplicate(() =>
      this.assignments.collection.insertOne({ _id: scopedId(workspaceId, id) as never, workspaceId, ...assignment }),
    );
  }

  async findAssignment(workspaceId: string, id: string): Promise<AssignmentRecord | null> {
    const doc = await this.assignments
      .findOne({ _id: scopedId(workspaceId, id), workspaceId })
      .lean()
      .exec();
    return doc && toAssignment(doc);
  }

  async markApplied(workspaceId: string, id: string): Promise<void> {
    await this.assignments.updateOne({ _id: scopedId(workspaceId, id), workspaceId }, { $set: { applied: true } });
  }

  /** Closes an open assignment; false when it was not open. */
  async closeAssignment(workspaceId: string, id: string, at: Date): Promise<boolean> {
    const result = await this.assignments.updateOne(
      { _id: scopedId(workspaceId, id), workspaceId, status: 'open' },
      { $set: { status: 'closed', closedAt: at } },
    );
    return result.modifiedCount > 0;
  }

  /** Newest first. */
  async listAssignments(workspaceId: string, filter: AssignmentFilter): Promise<AssignmentRecord[]> {
    const query: FilterQuery<Assignment> = { workspaceId };
    if (filter.leadIds) query.leadId = { $in: filter.leadIds };
    if (filter.agentId) query.agentId = filter.agentId;
    if (filter.status) query.status = filter.status;
    const docs = await this.assignments.find(query).sort({ createdAt: -1, _id: -1 }).limit(filter.limit).lean().exec();
    return docs.map(toAssignment);
  }
}

function toAgent({ _id, workspaceId: _, openAssignmentIds: __, ...agent }: Agent): AgentRecord {
  return { id: _id, ...agent, traits: agent.traits ?? {}, openAssignments: agent.openAssignments ?? 0 };
}

function toAssignment({ _id, workspaceId, ...assignment }: Assignment): AssignmentRecord {
  return { id: unscopedId(workspaceId, _id), ...assignment };
}
