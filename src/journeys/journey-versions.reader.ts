import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { LRUCache } from 'lru-cache';
import { Model } from 'mongoose';
import type { JourneyDefinition } from '../../workflows/contracts/journey-definition';
import { JourneyVersion } from './journey-version.model';
import { versionId } from './journeys.repository';

/**
 * Published journey definitions by reference, for the worker: a journey run loads the
 * version it was entered with. Versions are immutable, so a definition read once is cached.
 */
@Injectable()
export class JourneyVersionsReader {
  private readonly definitions = new LRUCache<string, JourneyDefinition>({ max: 1_000 });

  constructor(@InjectModel(JourneyVersion.name) private readonly versions: Model<JourneyVersion>) {}

  /** The definition of a published version, or null when the workspace has no such version. */
  async definitionOrNull(workspaceId: string, journeyId: string, version: number): Promise<JourneyDefinition | null> {
    const key = `${workspaceId}\0${versionId(journeyId, version)}`;
    const cached = this.definitions.get(key);
    if (cached) return cached;
    const doc = await this.versions.collection.findOne(
      { _id: versionId(journeyId, version) as never, workspaceId },
      { projection: { definition: 1 } },
    );
    if (!doc) return null;
    const definition = doc.definition as JourneyDefinition;
    this.definitions.set(key, definition);
    return definition;
  }
}
