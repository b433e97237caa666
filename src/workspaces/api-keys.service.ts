import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { AppConfig, ConfigService } from '../config/config.module';
import { ApiKeyKind } from './api-key.model';
import { ApiKeyRecord, WorkspacesRepository } from './workspaces.repository';

/** Who sent a request: the workspace every read and write is scoped to, and the source. */
export interface WorkspaceContext {
  workspaceId: string;
  sourceId: string;
}

const MISSING = Symbol('missing');

/**
 * Resolves API keys to workspaces. Every ingestion request authenticates, so keys are
 * cached for a minute (unknown keys for five seconds, so a bad key can't hammer the
 * database); a revoked key stops working within that minute.
 */
@Injectable()
export class ApiKeysService implements OnApplicationBootstrap {
  private readonly logger = new Logger(ApiKeysService.name);
  private readonly cache = new LRUCache<string, ApiKeyRecord | typeof MISSING>({ max: 10_000, ttl: 60_000 });

  constructor(
    private readonly repository: WorkspacesRepository,
    @Inject(ConfigService) private readonly config: AppConfig,
  ) {}

  /** The workspace a key of the given kind belongs to, or null for an unknown or wrong-kind key. */
  async authenticate(key: string, kind: ApiKeyKind): Promise<WorkspaceContext | null> {
    let record = this.cache.get(key);
    if (record === undefined) {
      record = (await this.repository.findKey(key)) ?? MISSING;
      this.cache.set(key, record, record === MISSING ? { ttl: 5_000 } : undefined);
    }
    if (record === MISSING || record.kind !== kind) return null;
    return { workspaceId: record.workspaceId, sourceId: record.sourceId };
  }

  /** Whether a key exists at all, for telling "wrong kind of key" apart from "no such key". */
  async kindOf(key: string): Promise<ApiKeyKind | null> {
    const record = this.cache.get(key) ?? (await this.repository.findKey(key));
    return record && record !== MISSING ? record.kind : null;
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.get('DEV_WORKSPACE_SEED', { infer: true })) return;
    const workspaceId = this.config.get('DEV_WORKSPACE_ID', { infer: true });
    const now = new Date();
    await this.repository.ensureWorkspace(workspaceId, 'Development', now);
    const sourceId = `${workspaceId}-web`;
    await this.repository.ensureKey(
      this.config.get('DEV_WRITE_KEY', { infer: true }),
      { workspaceId, kind: 'write', sourceId },
      now,
    );
    await this.repository.ensureKey(
      this.config.get('DEV_SECRET_KEY', { infer: true }),
      { workspaceId, kind: 'secret', sourceId },
      now,
    );
    this.logger.log(`Development workspace "${workspaceId}" is ready`);
  }
}
