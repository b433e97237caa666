import { HttpStatus, Injectable } from '@nestjs/common';
import type { CreateTaskInput } from '../../workflows/contracts/journey-activities';
import { AppError } from '../common/app-error';
import { LeadsService } from '../leads/leads.service';
import { TaskStatus } from './task.model';
import { ASSIGNED_AGENT_TRAIT } from './assignments.service';
import { TaskRecord, TasksRepository } from './tasks.repository';
import { AgentErrorCode } from './agent-errors';

/** Follow-ups journeys ask of a lead's agent (create_task steps), and their completion. */
@Injectable()
export class TasksService {
  constructor(
    private readonly repository: TasksRepository,
    private readonly leads: LeadsService,
  ) {}

  /** Creates the step's task once; a retry finds it by its key. It goes to the lead's agent, if any. */
  async createTask(step: CreateTaskInput): Promise<{ taskId: string }> {
    const { workspaceId, key } = step;
    if (await this.repository.find(workspaceId, key)) return { taskId: key };
    const lead = await this.leads.findLeadOrNull(workspaceId, step.leadId);
    const agentId = lead?.traits?.[ASSIGNED_AGENT_TRAIT];
    await this.repository.insert(workspaceId, {
      id: key,
      leadId: lead?.id ?? step.leadId,
      title: step.title,
      ...(step.dueAt && { dueAt: new Date(step.dueAt) }),
      status: 'open',
      ...(typeof agentId === 'string' && { assignedAgentId: agentId }),
      journeyId: step.journeyId,
      runId: step.runId,
      stepId: step.stepId,
      createdAt: new Date(),
    });
    return { taskId: key };
  }

  /** Newest first; `leadId` may be a lead id, userId or anonymousId, `agentId` the assignee. */
  async list(
    workspaceId: string,
    query: { leadId?: string; agentId?: string; status?: TaskStatus; limit: number },
  ): Promise<TaskRecord[]> {
    const { leadId, ...filter } = query;
    const leadIds = leadId ? await this.leads.findLeadIds(workspaceId, leadId) : undefined;
    return this.repository.list(workspaceId, { ...filter, ...(leadIds && { leadIds }) });
  }

  /** Marks a task done; completing it again keeps the first completion. */
  async complete(workspaceId: string, id: string): Promise<TaskRecord> {
    await this.find(workspaceId, id);
    await this.repository.complete(workspaceId, id, new Date());
    return this.find(workspaceId, id);
  }

  private async find(workspaceId: string, id: string): Promise<TaskRecord> {
    const task = await this.repository.find(workspaceId, id);
    if (!task) throw new AppError(AgentErrorCode.TaskNotFound, HttpStatus.NOT_FOUND, `no task has the id "${id}"`);
    return task;
  }
}
