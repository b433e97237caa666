import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { FilterQuery, Model } from 'mongoose';
import { Task, TaskStatus } from './task.model';
import { ignoreDuplicate } from '../database/mongo-errors';
import { scopedId, unscopedId } from '../database/scoped-id';

export type TaskRecord = Omit<Task, '_id' | 'workspaceId'> & { id: string };

export interface TaskFilter {
  leadIds?: string[];
  agentId?: string;
  status?: TaskStatus;
  limit: number;
}

/** Tasks journeys create; `_id`s are scoped like assignments' (`ws:runId:stepId`). */
@Injectable()
export class TasksRepository {
  constructor(@InjectModel(Task.name) private readonly tasks: Model<Task>) {}

  /** False when the task already exists (another attempt of the same step stored it). */
  async insert(workspaceId: string, { id, ...task }: TaskRecord): Promise<boolean> {
    return ignoreDuplicate(() =>
      this.tasks.collection.insertOne({ _id: scopedId(workspaceId, id) as never, workspaceId, ...task }),
    );
  }

  async find(workspaceId: string, id: string): Promise<TaskRecord | null> {
    const doc = await this.tasks
      .findOne({ _id: scopedId(workspaceId, id), workspaceId })
      .lean()
      .exec();
    return doc && toTask(doc);
  }

  /** Marks an open task done; a task already done keeps its first completion time. */
  async complete(workspaceId: string, id: string, at: Date): Promise<void> {
    await this.tasks.updateOne(
      { _id: scopedId(workspaceId, id), workspaceId, status: 'open' },
      { $set: { status: 'done', completedAt: at } },
    );
  }

  /** Newest first. */
  async list(workspaceId: string, filter: TaskFilter): Promise<TaskRecord[]> {
    const query: FilterQuery<Task> = { workspaceId };
    if (filter.leadIds) query.leadId = { $in: filter.leadIds };
    if (filter.agentId) query.assignedAgentId = filter.agentId;
    if (filter.status) query.status = filter.status;
    const docs = await this.tasks.find(query).sort({ createdAt: -1, _id: -1 }).limit(filter.limit).lean().exec();
    return docs.map(toTask);
  }
}

function toTask({ _id, workspaceId, ...task }: Task): TaskRecord {
  return { id: unscopedId(workspaceId, _id), ...task };
}
