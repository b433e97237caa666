import { Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { ExperimentRecord, ExperimentsRepository } from './experiments.repository';

/**
 * How long a change made on another API instance (paused, coverage, a winner) may take to
 * reach this one's assignments; this instance's own changes apply at once. GrowthBook's
 * SDKs cache their features for a minute.
 */
const EXPERIMENTS_TTL_MS = 2_000;

/** Experiment definitions as assignment reads them, on every request of a website's traffic. */
@Injectable()
export class ExperimentsCache {
  private readonly cache = new LRUCache<string, Promise<ExperimentRecord | null>>({
    max: 10_000,
    ttl: EXPERIMENTS_TTL_MS,
  });

  constructor(private readonly experiments: ExperimentsRepository) {}

  find(workspaceId: string, id: string): Promise<ExperimentRecord | null> {
    const key = `${workspaceId}:${id}`;
    let found = this.cache.get(key);
    if (!found) {
      found = this.experiments.find(workspaceId, id);
      found.catch(() => this.cache.delete(key));
      this.cache.set(key, found);
    }
    return found;
  }

  forget(workspaceId: string, id: string): void {
    this.cache.delete(`${workspaceId}:${id}`);
  }
}
