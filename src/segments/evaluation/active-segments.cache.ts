import { Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { SegmentsRepository } from '../segments.repository';
import type { CriteriaSegment } from './segment-evaluator';

/** How long another API instance's segment change may take to reach this one's real-time evaluation. */
const ACTIVE_SEGMENTS_TTL_MS = 5_000;

/**
 * Each workspace's active criteria segments, as real-time evaluation reads them after every
 * batch: cached briefly, and forgotten at once when this process changes one.
 */
@Injectable()
export class ActiveSegmentsCache {
  private readonly cache = new LRUCache<string, Promise<CriteriaSegment[]>>({
    max: 10_000,
    ttl: ACTIVE_SEGMENTS_TTL_MS,
  });

  constructor(private readonly segments: SegmentsRepository) {}

  of(workspaceId: string): Promise<CriteriaSegment[]> {
    let found = this.cache.get(workspaceId);
    if (!found) {
      found = this.segments.listActiveCriteria(workspaceId);
      found.catch(() => this.cache.delete(workspaceId));
      this.cache.set(workspaceId, found);
    }
    return found;
  }

  forget(workspaceId: string): void {
    this.cache.delete(workspaceId);
  }
}
