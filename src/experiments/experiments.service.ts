import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { AppError } from '../common/app-error';
import { CommonErrorCode } from '../common/error-codes';
import { AppConfig, ConfigService } from '../config/config.module';
import { SegmentsService } from '../segments/segments.service';
import { AssignmentsRepository } from './assignments.repository';
import { type CreateExperimentRequest, DEFAULT_SETTINGS, type UpdateExperimentRequest } from './dto/experiment.request';
import { ExperimentErrorCode } from './experiment-errors';
import type { ExperimentSettings, ExperimentStatus } from './experiment.model';
import { ExperimentChanges, ExperimentRecord, ExperimentsRepository } from './experiments.repository';
import { ExperimentsCache } from './experiments.cache';
import { ExperimentWorkflows } from './lifecycle/experiment-workflows';

const DAY = 86_400_000;

/** Where each status may go: a completed experiment stays completed. */
const NEXT: Record<ExperimentStatus, readonly ExperimentStatus[]> = {
  draft: ['scheduled', 'running'],
  scheduled: ['draft', 'running'],
  running: ['paused', 'completed'],
  paused: ['running', 'completed'],
  completed: [],
};

/** Experiment definitions and their status; assignment and results are beside it. */
@Injectable()
export class ExperimentsService {
  private readonly defaults: ExperimentSettings;

  constructor(
    @Inject(ConfigService) config: AppConfig,
    private readonly repository: ExperimentsRepository,
    private readonly assignments: AssignmentsRepository,
    private readonly segments: SegmentsService,
    private readonly workflows: ExperimentWorkflows,
    private readonly cache: ExperimentsCache,
  ) {
    this.defaults = {
      ...DEFAULT_SETTINGS,
      significance: config.get('EXPERIMENT_SIGNIFICANCE_LEVEL', { infer: true }),
      minSamplePerVariant: config.get('EXPERIMENT_MIN_SAMPLE_SIZE', { infer: true }),
      durationDays: config.get('EXPERIMENT_DEFAULT_DURATION', { infer: true }),
    };
  }

  async create(workspaceId: string, request: CreateExperimentRequest): Promise<ExperimentRecord> {
    const now = new Date();
    const { id = `exp_${randomUUID().replace(/-/g, '').slice(0, 16)}`, seed, segmentsField, ...sent } = request;
    const fields = { ...sent, settings: { ...this.defaults, ...sent.settings } };
    await this.checkSegments(workspaceId, fields.allocation.segments ?? [], segmentsField);
    const experiment: ExperimentRecord = {
      id,
      ...fields,
      seed: seed ?? id,
      ...dates(fields.status, fields, fields.settings.durationDays, now),
      createdAt: now,
      updatedAt: now,
    };
    if (!(await this.repository.insert(workspaceId, stripUndefined(experiment))))
      throw new AppError(ExperimentErrorCode.Exists, HttpStatus.CONFLICT, `id: an experiment "${id}" already exists`);
    await this.lifecycleChanged(workspaceId, experiment);
    return experiment;
  }

  async get(workspaceId: string, id: string): Promise<ExperimentRecord> {
    return found(id, await this.repository.find(workspaceId, id));
  }

  /** {@link get} for assignment, on every visitor's request: cached for a moment (ExperimentsCache). */
  async getForAssignment(workspaceId: string, id: string): Promise<ExperimentRecord> {
    return found(id, await this.cache.find(workspaceId, id));
  }

  list(workspaceId: string): Promise<ExperimentRecord[]> {
    return this.repository.list(workspaceId);
  }

  /** Changes what may change while it runs (coverage ramps up, dates, settings) and moves its status. */
  async update(workspaceId: string, id: string, request: UpdateExperimentRequest, now = new Date()) {
    const experiment = await this.get(workspaceId, id);
    const { settings, ...fields } = request;
    const changes: ExperimentChanges = { ...fields, updatedAt: now };
    if (settings) changes.settings = { ...experiment.settings, ...settings };
    if (request.status && request.status !== experiment.status) {
      if (!NEXT[experiment.status].includes(request.status))
        throw new AppError(
          ExperimentErrorCode.InvalidTransition,
          HttpStatus.CONFLICT,
          `status: a ${experiment.status} experiment can go to ${NEXT[experiment.status].join(' or ') || 'no other status'}, not ${request.status}`,
        );
      const durationDays = (changes.settings ?? experiment.settings).durationDays;
      Object.assign(changes, dates(request.status, { ...experiment, ...fields }, durationDays, now));
    }
    const endAt = changes.endAt ?? experiment.endAt;
    const startAt = changes.startAt ?? experiment.startAt;
    if (startAt && endAt && endAt <= startAt)
      throw new AppError(CommonErrorCode.ValidationFailed, HttpStatus.BAD_REQUEST, 'endAt: must be after startAt');
    if (!(await this.repository.update(workspaceId, id, experiment.updatedAt, stripUndefined(changes))))
      throw changedMeanwhile(id);
    const updated = { ...experiment, ...changes };
    await this.lifecycleChanged(workspaceId, updated);
    return updated;
  }

  /** Completes the experiment with a winner (every lead gets it from now on), or none (control). */
  async conclude(workspaceId: string, id: string, winnerVariantId: string | undefined, now = new Date()) {
    const experiment = await this.get(workspaceId, id);
    if (winnerVariantId && !experiment.variants.some((variant) => variant.id === winnerVariantId))
      throw new AppError(
        CommonErrorCode.ValidationFailed,
        HttpStatus.BAD_REQUEST,
        `winnerVariantId: the experiment has no variant "${winnerVariantId}" (it has ${experiment.variants.map((v) => v.id).join(', ')})`,
      );
    const changes: ExperimentChanges = {
      status: 'completed',
      ...(experiment.status !== 'completed' && { endAt: now }),
      ...(winnerVariantId && { winnerVariantId }),
      updatedAt: now,
    };
    if (!(await this.repository.update(workspaceId, id, experiment.updatedAt, changes))) throw changedMeanwhile(id);
    const concluded = { ...experiment, ...changes };
    await this.lifecycleChanged(workspaceId, concluded);
    return concluded;
  }

  async remove(workspaceId: string, id: string): Promise<void> {
    if (!(await this.repository.remove(workspaceId, id))) throw notFound(id);
    this.cache.forget(workspaceId, id);
    await this.assignments.removeExperiment(workspaceId, id);
    await this.workflows.changed({ workspaceId, experimentId: id }, false);
  }

  /** The lifecycle workflow follows the document: started for a live experiment, woken on every change. */
  private lifecycleChanged(workspaceId: string, { id, status }: ExperimentRecord) {
    this.cache.forget(workspaceId, id);
    return this.workflows.changed({ workspaceId, experimentId: id }, status !== 'draft' && status !== 'completed');
  }

  /** Target segments must exist: an experiment for a segment nobody is in would wait forever. */
  private async checkSegments(workspaceId: string, segmentIds: readonly string[], field: string) {
    for (const [i, segmentId] of segmentIds.entries())
      if (!(await this.segments.exists(workspaceId, segmentId)))
        throw new AppError(
          CommonErrorCode.ValidationFailed,
          HttpStatus.BAD_REQUEST,
          `${field}[${i}]: no segment has the id "${segmentId}"`,
        );
  }
}

/** Starting now fills in the start and, from the duration, the end; scheduling needs a start ahead. */
function dates(
  status: ExperimentStatus,
  current: { startAt?: Date; endAt?: Date },
  durationDays: number,
  now: Date,
): { startAt?: Date; endAt?: Date } {
  if (status === 'scheduled') {
    if (!current.startAt || current.startAt <= now)
      throw new AppError(
        CommonErrorCode.ValidationFailed,
        HttpStatus.BAD_REQUEST,
        'startAt: a scheduled experiment needs a start in the future',
      );
    return { endAt: current.endAt ?? new Date(current.startAt.getTime() + durationDays * DAY) };
  }
  if (status !== 'running') return {};
  const startAt = current.startAt && current.startAt <= now ? current.startAt : now;
  return { startAt, endAt: current.endAt ?? new Date(startAt.getTime() + durationDays * DAY) };
}

const notFound = (id: string) =>
  new AppError(ExperimentErrorCode.NotFound, HttpStatus.NOT_FOUND, `no experiment has the id "${id}"`);

function found(id: string, experiment: ExperimentRecord | null): ExperimentRecord {
  if (!experiment) throw notFound(id);
  return experiment;
}

const changedMeanwhile = (id: string) =>
  new AppError(
    ExperimentErrorCode.Changed,
    HttpStatus.CONFLICT,
    `experiment "${id}" changed meanwhile; read it and retry`,
  );

function stripUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
