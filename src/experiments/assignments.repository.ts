import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model } from 'mongoose';
import { ignoreDuplicate } from '../database/mongo-errors';
import { ExperimentAssignment } from './experiment.model';

export interface Assignment {
  leadId: string;
  variantId: string;
  assignedAt: Date;
  exposureOwed: boolean;
}

const assignmentId = (workspaceId: string, experimentId: string, leadId: string) =>
  `${workspaceId}:${experimentId}:${leadId}`;

/** Leads' variants, one document per experiment and lead, written once. */
@Injectable()
export class AssignmentsRepository {
  constructor(@InjectModel(ExperimentAssignment.name) private readonly assignments: Model<ExperimentAssignment>) {}

  /** The first of these leads (a lead and those merged into it) that has a variant, in that order. */
  async find(workspaceId: string, experimentId: string, leadIds: readonly string[]): Promise<Assignment | null> {
    const ids = leadIds.map((leadId) => assignmentId(workspaceId, experimentId, leadId));
    const docs = await this.assignments.collection.find({ _id: { $in: ids as never[] } }).toArray();
    const byId = new Map(docs.map((doc) => [doc._id as unknown as string, doc]));
    const doc = ids.map((id) => byId.get(id)).find(Boolean);
    return doc ? toAssignment(doc as unknown as ExperimentAssignment) : null;
  }

  /**
   * Stores a lead's variant unless it has one, and answers the one stored: the first insert
   * wins across processes (the `_id` is unique), so a lead never gets two variants.
   */
  async assignOnce(
    workspaceId: string,
    experimentId: string,
    assignment: Assignment,
  ): Promise<{ inserted: boolean; assignment: Assignment }> {
    const _id = assignmentId(workspaceId, experimentId, assignment.leadId);
    const inserted = await ignoreDuplicate(() =>
      this.assignments.collection.insertOne({ _id: _id as never, workspaceId, experimentId, ...assignment }),
    );
    if (inserted) return { inserted, assignment };
    return { inserted, assignment: (await this.find(workspaceId, experimentId, [assignment.leadId]))! };
  }

  /** The lead's exposure event is stored: nothing is owed any more. */
  async exposureRecorded(workspaceId: string, experimentId: string, leadId: string): Promise<void> {
    await this.assignments.collection.updateOne(
      { _id: assignmentId(workspaceId, experimentId, leadId) as never },
      { $set: { exposureOwed: false } },
    );
  }

  /** How many leads each variant has. */
  async countByVariant(workspaceId: string, experimentId: string, variantIds: readonly string[]) {
    const counts = await Promise.all(
      variantIds.map((variantId) => this.assignments.countDocuments({ workspaceId, experimentId, variantId })),
    );
    return new Map(variantIds.map((variantId, i) => [variantId, counts[i]]));
  }

  /** Forgets a deleted experiment's assignments. */
  async removeExperiment(workspaceId: string, experimentId: string): Promise<void> {
    await this.assignments.collection.deleteMany({ workspaceId, experimentId });
  }
}

function toAssignment({ leadId, variantId, assignedAt, exposureOwed }: ExperimentAssignment): Assignment {
  return { leadId, variantId, assignedAt, exposureOwed };
}
