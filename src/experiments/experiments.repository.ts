import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model } from 'mongoose';
import { ignoreDuplicate } from '../database/mongo-errors';
import { scopedId, unscopedId } from '../database/scoped-id';
import { Experiment } from './experiment.model';

export type ExperimentRecord = Omit<Experiment, '_id' | 'workspaceId'> & { id: string };
export type ExperimentChanges = Partial<Omit<ExperimentRecord, 'id' | 'createdAt'>>;

/** Experiment definitions; every query is scoped by workspace. */
@Injectable()
export class ExperimentsRepository {
  constructor(@InjectModel(Experiment.name) private readonly experiments: Model<Experiment>) {}

  /** False when the workspace already has an experiment with this id. */
  async insert(workspaceId: string, { id, ...experiment }: ExperimentRecord): Promise<boolean> {
    return ignoreDuplicate(() =>
      this.experiments.collection.insertOne({ _id: scopedId(workspaceId, id) as never, workspaceId, ...experiment }),
    );
  }

  async find(workspaceId: string, id: string): Promise<ExperimentRecord | null> {
    const doc = await this.experiments
      .findOne({ _id: scopedId(workspaceId, id), workspaceId })
      .lean()
      .exec();
    return doc && toRecord(doc);
  }

  /** A workspace's experiments, newest first; a small collection, read whole. */
  async list(workspaceId: string): Promise<ExperimentRecord[]> {
    const docs = await this.experiments.find({ workspaceId }).sort({ createdAt: -1, _id: 1 }).lean().exec();
    return docs.map(toRecord);
  }

  /** False when there is no such experiment, or it changed since `readAt` (its `updatedAt` then). */
  async update(workspaceId: string, id: string, readAt: Date, changes: ExperimentChanges): Promise<boolean> {
    const result = await this.experiments.updateOne(
      { _id: scopedId(workspaceId, id), workspaceId, updatedAt: readAt },
      { $set: changes },
    );
    return result.matchedCount > 0;
  }

  /**
   * Moves the status to `to` if it is one of `from` (the lifecycle workflow's moves, which
   * never undo the API's); answers the status after, undefined when there is no experiment.
   */
  async moveStatus(
    workspaceId: string,
    id: string,
    from: readonly string[],
    changes: ExperimentChanges & { status: ExperimentRecord['status'] },
  ) {
    const _id = scopedId(workspaceId, id);
    await this.experiments.updateOne({ _id, workspaceId, status: { $in: [...from] } }, { $set: changes });
    return (await this.find(workspaceId, id))?.status;
  }

  /** Records what the worker found, whatever else changed. */
  async record(workspaceId: string, id: string, changes: Pick<ExperimentChanges, 'lastAnalysis'>) {
    await this.experiments.collection.updateOne(
      { _id: scopedId(workspaceId, id) as never, workspaceId },
      { $set: changes },
    );
  }

  /** Every experiment the lifecycle workflow still moves, in every workspace (for the API's start). */
  async listLive(): Promise<Array<{ workspaceId: string; id: string }>> {
    const docs = await this.experiments.collection
      .find({ status: { $in: ['scheduled', 'running', 'paused'] } }, { projection: { workspaceId: 1 } })
      .toArray();
    return docs.map((doc) => ({
      workspaceId: doc.workspaceId as string,
      id: unscopedId(doc.workspaceId as string, doc._id as unknown as string),
    }));
  }

  /** False when there was no such experiment. */
  async remove(workspaceId: string, id: string): Promise<boolean> {
    const result = await this.experiments.deleteOne({ _id: scopedId(workspaceId, id), workspaceId });
    return result.deletedCount > 0;
  }
}

function toRecord({ _id, workspaceId, ...experiment }: Experiment): ExperimentRecord {
  return { id: unscopedId(workspaceId, _id), ...experiment };
}
