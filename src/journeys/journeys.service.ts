import { HttpStatus, Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import type { JourneyDefinition } from '../../workflows/contracts/journey-definition';
import { AppError } from '../common/app-error';
import { formatPath } from '../common/validation';
import { TemplatesService } from '../messaging/templates/templates.service';
import { walkSteps } from './dto/journey-definition.request';
import type { MatchableJourney } from './dispatch/trigger-matcher';
import { JourneyStatus } from './journey.model';
import { JourneyRecord, JourneysRepository, JourneyVersionRecord } from './journeys.repository';
import { JourneyErrorCode } from './journey-errors';
import { CommonErrorCode } from '../common/error-codes';

/** Lifecycle moves and the statuses each may start from. */
const transitions = {
  pause: { from: ['active'], to: 'paused' },
  resume: { from: ['paused'], to: 'active' },
  archive: { from: ['draft', 'active', 'paused'], to: 'archived' },
} as const satisfies Record<string, { from: JourneyStatus[]; to: JourneyStatus }>;
export type JourneyTransition = keyof typeof transitions;

/**
 * Journeys as Braze and Customer.io users know them: edit a draft, publish it as an
 * immutable version (runs keep the version they started with), pause, resume, archive.
 */
@Injectable()
export class JourneysService {
  private readonly changeListeners = new Set<(workspaceId: string) => void>();

  constructor(
    private readonly repository: JourneysRepository,
    private readonly templates: TemplatesService,
  ) {}

  /** Called after a publish or lifecycle move, so caches of live journeys refresh at once. */
  onChange(listener: (workspaceId: string) => void): void {
    this.changeListeners.add(listener);
  }

  async create(workspaceId: string, draft: JourneyDefinition, id?: string): Promise<JourneyRecord> {
    const journeyId = id ?? `${slug(draft.name)}-${randomBytes(3).toString('hex')}`;
    if (!(await this.repository.create(workspaceId, journeyId, draft, new Date()))) {
      throw new AppError(JourneyErrorCode.Exists, HttpStatus.CONFLICT, `id: a journey "${journeyId}" already exists`);
    }
    return this.get(workspaceId, journeyId);
  }

  async get(workspaceId: string, id: string): Promise<JourneyRecord> {
    const journey = await this.repository.find(workspaceId, id);
    if (!journey) throw new AppError(JourneyErrorCode.NotFound, HttpStatus.NOT_FOUND, `no journey has the id "${id}"`);
    return journey;
  }

  list(workspaceId: string): Promise<JourneyRecord[]> {
    return this.repository.list(workspaceId);
  }

  async updateDraft(workspaceId: string, id: string, draft: JourneyDefinition): Promise<JourneyRecord> {
    const journey = await this.get(workspaceId, id);
    if (journey.status === 'archived') throw conflict(`journey "${id}" is archived; its draft can no longer change`);
    await this.repository.update(workspaceId, id, { draft }, new Date());
    return this.get(workspaceId, id);
  }

  /** Freezes the draft as the next version and makes it the live one; a first publish activates. */
  async publish(workspaceId: string, id: string): Promise<JourneyVersionRecord> {
    const journey = await this.get(workspaceId, id);
    if (journey.status === 'archived') throw conflict(`journey "${id}" is archived and cannot be published`);
    await this.assertTemplatesExist(journey.draft);
    const now = new Date();
    const version: JourneyVersionRecord = {
      journeyId: id,
      version: (journey.publishedVersion ?? 0) + 1,
      definition: journey.draft,
      publishedAt: now,
    };
    if (!(await this.repository.insertVersion(workspaceId, version))) {
      throw conflict(`journey "${id}" was published by someone else meanwhile; reload and publish again`);
    }
    const status = journey.status === 'draft' ? 'active' : journey.status;
    await this.repository.update(workspaceId, id, { publishedVersion: version.version, status }, now);
    this.changed(workspaceId);
    return version;
  }

  async transition(workspaceId: string, id: string, move: JourneyTransition): Promise<JourneyRecord> {
    const journey = await this.get(workspaceId, id);
    const { from, to } = transitions[move];
    if (!(from as readonly JourneyStatus[]).includes(journey.status)) {
      throw conflict(`cannot ${move} journey "${id}": it is ${journey.status}`);
    }
    await this.repository.update(workspaceId, id, { status: to }, new Date());
    this.changed(workspaceId);
    return this.get(workspaceId, id);
  }

  /**
   * What the trigger matcher compiles: every published version, the live version of an
   * active journey taking entries; older versions and paused or archived journeys only
   * have runs that may still wait for events.
   */
  async matchable(workspaceId: string): Promise<MatchableJourney[]> {
    const [journeys, versions] = await Promise.all([
      this.repository.list(workspaceId),
      this.repository.listAllVersions(workspaceId),
    ]);
    const live = new Map(journeys.map((j) => [j.id, j]));
    return versions.map(({ journeyId, version, definition }) => {
      const journey = live.get(journeyId);
      const acceptsEntries = journey?.status === 'active' && journey.publishedVersion === version;
      return { journeyId, version, definition, acceptsEntries };
    });
  }

  /** A live journey must not fail at its first send: every template it names must exist. */
  async assertTemplatesExist(definition: JourneyDefinition): Promise<void> {
    const sends: { channel: 'email' | 'sms'; template: string; path: PropertyKey[] }[] = [];
    walkSteps(definition.steps, (step, path) => {
      if (step.type === 'send_email') sends.push({ channel: 'email', template: step.template, path });
      if (step.type === 'send_sms') sends.push({ channel: 'sms', template: step.template, path });
    });
    for (const { channel, template, path } of sends) {
      if (await this.templates.exists(channel, template)) continue;
      const where = `templates/${channel}/${template}${channel === 'sms' ? '.hbs' : '/'}`;
      throw new AppError(
        CommonErrorCode.ValidationFailed,
        HttpStatus.BAD_REQUEST,
        `${formatPath([...path, 'template'])}: no ${channel} template "${template}" (looked for ${where})`,
      );
    }
  }

  private changed(workspaceId: string): void {
    for (const listener of this.changeListeners) listener(workspaceId);
  }

  async version(workspaceId: string, id: string, version: number): Promise<JourneyVersionRecord> {
    const found = await this.repository.findVersion(workspaceId, id, version);
    if (!found)
      throw new AppError(JourneyErrorCode.NotFound, HttpStatus.NOT_FOUND, `journey "${id}" has no version ${version}`);
    return found;
  }

  async versions(workspaceId: string, id: string): Promise<JourneyVersionRecord[]> {
    await this.get(workspaceId, id);
    return this.repository.listVersions(workspaceId, id);
  }
}

const conflict = (message: string) => new AppError(JourneyErrorCode.Conflict, HttpStatus.CONFLICT, message);

function slug(name: string): string {
  const base = name
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 48);
  return base || 'journey';
}
