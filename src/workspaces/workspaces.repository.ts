import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { createHash } from 'node:crypto';
import { Model } from 'mongoose';
import { ignoreDuplicate } from '../database/mongo-errors';
import { ApiKey, ApiKeyKind } from './api-key.model';
import { Workspace } from './workspace.model';

export interface ApiKeyRecord {
  workspaceId: string;
  kind: ApiKeyKind;
  sourceId: string;
}

export const hashKey = (key: string): string => createHash('sha256').update(key).digest('hex');

@Injectable()
export class WorkspacesRepository {
  constructor(
    @InjectModel(Workspace.name) private readonly workspaces: Model<Workspace>,
    @InjectModel(ApiKey.name) private readonly keys: Model<ApiKey>,
  ) {}

  /** The workspace an API key belongs to: how a request finds its tenant, so it takes none. */
  async findKey(key: string): Promise<ApiKeyRecord | null> {
    const doc = await this.keys.findById(hashKey(key)).lean().exec();
    return doc && { workspaceId: doc.workspaceId, kind: doc.kind, sourceId: doc.sourceId };
  }

  // Both upserts tolerate a duplicate key: the API and the worker both seed the dev workspace
  // at start-up, and FerretDB refuses the loser of two racing upserts of a new `_id`.

  /** Creates the workspace if missing; a second call with the same id changes nothing. */
  async ensureWorkspace(id: string, name: string, now: Date): Promise<void> {
    await ignoreDuplicate(() =>
      this.workspaces.updateOne({ _id: id }, { $setOnInsert: { name, createdAt: now } }, { upsert: true }).exec(),
    );
  }

  /** Registers a key for a workspace; registering the same key again changes nothing. */
  async ensureKey(key: string, record: ApiKeyRecord, now: Date): Promise<void> {
    await ignoreDuplicate(() =>
      this.keys
        .updateOne({ _id: hashKey(key) }, { $setOnInsert: { ...record, createdAt: now } }, { upsert: true })
        .exec(),
    );
  }
}
