import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model } from 'mongoose';
import { ignoreDuplicate } from '../database/mongo-errors';
import type { JourneyDefinition } from '../../workflows/contracts/journey-definition';
import { JourneyVersion } from './journey-version.model';
import { Journey } from './journey.model';

export type JourneyRecord = Omit<Journey, '_id'> & { id: string };
export type JourneyVersionRecord = Omit<JourneyVersion, '_id' | 'workspaceId'>;

export const versionId = (journeyId: string, version: number) => `${journeyId}:v${version}`;

/** Journeys and their versions; every query is scoped by workspace. */
@Injectable()
export class JourneysRepository {
  constructor(
    @InjectModel(Journey.name) private readonly journeys: Model<Journey>,
    @InjectModel(JourneyVersion.name) private readonly versions: Model<JourneyVersion>,
  ) {}

  /** Creates a journey; false if the id is taken. */
  async create(workspaceId: string, id: string, draft: JourneyDefinition, now: Date): Promise<boolean> {
    return ignoreDuplicate(() =>
      this.journeys.collection.insertOne({
        _id: id as never,
        workspaceId,
        status: 'draft',
        draft,
        createdAt: now,
        updatedAt: now,
      }),
    );
  }

  async find(workspaceId: string, id: string): Promise<JourneyRecord | null> {
    const doc = await this.journeys.findOne({ _id: id, workspaceId }).lean().exec();
    return doc && toRecord(doc);
  }

  async list(workspaceId: string): Promise<JourneyRecord[]> {
    const docs = await this.journeys.find({ workspaceId }).sort({ createdAt: 1 }).lean().exec();
    return docs.map(toRecord);
  }

  async update(
    workspaceId: string,
    id: string,
    changes: Partial<Pick<Journey, 'draft' | 'status' | 'publishedVersion'>>,
    now: Date,
  ): Promise<void> {
    await this.journeys.updateOne({ _id: id, workspaceId }, { $set: { ...changes, updatedAt: now } }).exec();
  }

  /** Writes an immutable version; false if that version number was taken meanwhile. */
  async insertVersion(workspaceId: string, version: JourneyVersionRecord): Promise<boolean> {
    return ignoreDuplicate(() =>
      this.versions.collection.insertOne({
        _id: versionId(version.journeyId, version.version) as never,
        workspaceId,
        ...version,
      }),
    );
  }

  async findVersion(workspaceId: string, journeyId: string, version: number): Promise<JourneyVersionRecord | null> {
    const doc = await this.versions
      .findOne({ _id: versionId(journeyId, version), workspaceId })
      .lean()
      .exec();
    return doc && toVersionRecord(doc);
  }

  /** Every published version in the workspace: what the trigger matcher compiles. */
  async listAllVersions(workspaceId: string): Promise<JourneyVersionRecord[]> {
    const docs = await this.versions.find({ workspaceId }).lean().exec();
    return docs.map(toVersionRecord);
  }

  async listVersions(workspaceId: string, journeyId: string): Promise<JourneyVersionRecord[]> {
    const docs = await this.versions.find({ workspaceId, journeyId }).sort({ version: -1 }).lean().exec();
    return docs.map(toVersionRecord);
  }
}

function toRecord({ _id, ...journey }: Journey): JourneyRecord {
  return { id: _id, ...journey };
}

function toVersionRecord({ journeyId, version, definition, publishedAt }: JourneyVersion): JourneyVersionRecord {
  return { journeyId, version, definition, publishedAt };
}
