import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { FilterQuery, Model } from 'mongoose';
import { ignoreDuplicate } from '../../database/mongo-errors';
import { JourneyRun, RunStatus, StepResult } from './journey-run.model';
import { JourneyStepLog } from './journey-step-log.model';

export type RunRecord = Omit<JourneyRun, '_id'> & { runId: string };
export type StepLogRecord = Omit<JourneyStepLog, '_id'>;
export type RunEnd = Pick<JourneyRun, 'status' | 'converted' | 'exitReason' | 'experimentVariants' | 'endedAt'>;

export interface RunQuery {
  leadIds?: string[];
  status?: RunStatus;
  /** Keyset cursor: runs entered before this one, in newest-first order. */
  before?: { enteredAt: Date; runId: string };
  limit: number;
}

export interface RunCount {
  status: RunStatus;
  converted: boolean;
  count: number;
}

export interface StepCount {
  stepId: string;
  result: StepResult;
  count: number;
}

/** The journey execution log: runs and their steps, scoped by workspace. */
@Injectable()
export class JourneyExecutionsRepository {
  constructor(
    @InjectModel(JourneyRun.name) private readonly runs: Model<JourneyRun>,
    @InjectModel(JourneyStepLog.name) private readonly steps: Model<JourneyStepLog>,
  ) {}

  /** False when the run was recorded already. */
  async insertRun({ runId, ...run }: RunRecord): Promise<boolean> {
    return ignoreDuplicate(() => this.runs.collection.insertOne({ _id: runId as never, ...run }));
  }

  async endRun(workspaceId: string, runId: string, end: RunEnd): Promise<void> {
    await this.runs.updateOne({ _id: runId, workspaceId }, { $set: end });
  }

  /** False when the step was recorded already. */
  async insertStep(workspaceId: string, step: Omit<StepLogRecord, 'workspaceId'>): Promise<boolean> {
    return ignoreDuplicate(() =>
      this.steps.collection.insertOne({ _id: `${step.runId}:${step.stepId}` as never, workspaceId, ...step }),
    );
  }

  /** A page of a journey's runs, newest first. */
  async findRuns(workspaceId: string, journeyId: string, query: RunQuery): Promise<RunRecord[]> {
    const filter: FilterQuery<JourneyRun> = { workspaceId, journeyId };
    if (query.leadIds) filter.leadId = { $in: query.leadIds };
    if (query.status) filter.status = query.status;
    if (query.before) {
      const { enteredAt, runId } = query.before;
      filter.$or = [{ enteredAt: { $lt: enteredAt } }, { enteredAt, _id: { $lt: runId } }];
    }
    const docs = await this.runs.find(filter).sort({ enteredAt: -1, _id: -1 }).limit(query.limit).lean().exec();
    return docs.map(({ _id, ...run }) => ({ runId: _id, ...run }));
  }

  /** The steps of some runs, in the order they happened; one query for a page of runs. */
  async findSteps(workspaceId: string, runIds: readonly string[]): Promise<StepLogRecord[]> {
    if (!runIds.length) return [];
    const docs = await this.steps
      .find({ workspaceId, runId: { $in: runIds } })
      .sort({ at: 1, recordedAt: 1 })
      .lean()
      .exec();
    return docs.map(({ _id, ...step }) => step);
  }

  async countRuns(workspaceId: string, journeyId: string): Promise<RunCount[]> {
    const groups = await this.runs.aggregate<{ _id: { status: RunStatus; converted: boolean }; count: number }>([
      { $match: { workspaceId, journeyId } },
      { $group: { _id: { status: '$status', converted: '$converted' }, count: { $sum: 1 } } },
    ]);
    return groups.map(({ _id, count }) => ({ ..._id, count }));
  }

  /**
   * Ended runs per `experimentId:variantId` they took, and how many of them converted: a
   * cursor over the runs that took one (an `$unwind` + `$group` counted no conversions on
   * FerretDB 1.24 here, where the same group without `$unwind` does).
   */
  async countByVariant(workspaceId: string, journeyId: string) {
    const counts = new Map<string, { variant: string; runs: number; converted: number }>();
    const cursor = this.runs.collection.find(
      { workspaceId, journeyId, experimentVariants: { $exists: true } },
      { projection: { experimentVariants: 1, converted: 1 } },
    );
    for await (const run of cursor)
      for (const variant of run.experimentVariants as string[]) {
        const count = counts.get(variant) ?? counts.set(variant, { variant, runs: 0, converted: 0 }).get(variant)!;
        count.runs++;
        if (run.converted) count.converted++;
      }
    return [...counts.values()];
  }

  async countSteps(workspaceId: string, journeyId: string): Promise<StepCount[]> {
    const groups = await this.steps.aggregate<{ _id: { stepId: string; result: StepResult }; count: number }>([
      { $match: { workspaceId, journeyId } },
      { $group: { _id: { stepId: '$stepId', result: '$result' }, count: { $sum: 1 } } },
    ]);
    return groups.map(({ _id, count }) => ({ ..._id, count }));
  }
}
