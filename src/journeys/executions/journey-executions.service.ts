import { Injectable } from '@nestjs/common';
import { LeadsService } from '../../leads/leads.service';
import { JourneysService } from '../journeys.service';
import { ExecutionsQuery } from './dto/executions-query.request';
import { RunStatus, StepResult } from './journey-run.model';
import { JourneyExecutionsRepository, RunRecord, StepLogRecord } from './journey-executions.repository';
import { pageOf } from '../../common/pagination';

export interface StepView {
  stepId: string;
  type: string;
  at: Date;
  result: StepResult;
  detail?: Record<string, unknown>;
}

export type ExecutionView = Omit<RunRecord, 'workspaceId'> & { steps: StepView[] };

/** The spec's `TriggerExecution`: a journey run as a trigger's execution, its steps as actions. */
export interface TriggerExecution {
  id: string;
  triggerId: string;
  leadId: string;
  executedAt: Date;
  actions: Array<{
    id: string;
    action: string;
    result: StepResult;
    executedAt: Date;
    detail?: Record<string, unknown>;
  }>;
  context: Pick<RunRecord, 'version' | 'triggerMessageId' | 'triggerType' | 'status' | 'converted'> &
    Partial<Pick<RunRecord, 'exitReason' | 'endedAt'>>;
}

export interface JourneyStats {
  entered: number;
  running: number;
  completed: number;
  exited: number;
  failed: number;
  converted: number;
  /** Per step, how many runs ended it with each result. */
  steps: Record<string, Partial<Record<StepResult, number>>>;
  /** Per experiment step's experiment and variant: ended runs, and how many converted (the journey's goal). */
  experiments: Record<string, Record<string, { runs: number; converted: number }>>;
}

/**
 * The read side of the journey execution log, behind the API's controllers; the worker
 * writes it through JourneyLogWriter.
 */
@Injectable()
export class JourneyExecutionsService {
  constructor(
    private readonly repository: JourneyExecutionsRepository,
    private readonly journeys: JourneysService,
    private readonly leads: LeadsService,
  ) {}

  /** A page of a journey's runs, newest first, each with its steps in order. */
  async list(
    workspaceId: string,
    journeyId: string,
    query: ExecutionsQuery,
  ): Promise<{ executions: ExecutionView[]; nextCursor: string | null }> {
    await this.journeys.get(workspaceId, journeyId);
    const leadIds = query.leadId ? await this.leads.findLeadIds(workspaceId, query.leadId) : undefined;
    const runs = await this.repository.findRuns(workspaceId, journeyId, {
      ...(leadIds && { leadIds }),
      ...(query.status && { status: query.status }),
      ...(query.cursor && { before: query.cursor }),
      limit: query.limit + 1,
    });
    const { page, nextCursor } = pageOf(runs, query.limit, (run) => ({ at: run.enteredAt, id: run.runId }));
    const steps = groupByRun(
      await this.repository.findSteps(
        workspaceId,
        page.map((run) => run.runId),
      ),
    );
    return {
      executions: page.map(({ workspaceId: _, ...run }) => ({ ...run, steps: steps.get(run.runId) ?? [] })),
      nextCursor,
    };
  }

  /** The same page in the spec's TriggerExecution shape, for `GET /api/behavior/triggers/:id/executions`. */
  async listAsTriggerExecutions(
    workspaceId: string,
    journeyId: string,
    query: ExecutionsQuery,
  ): Promise<{ executions: TriggerExecution[]; nextCursor: string | null }> {
    const { executions, nextCursor } = await this.list(workspaceId, journeyId, query);
    return { executions: executions.map(asTriggerExecution), nextCursor };
  }

  /** Entries, outcomes and conversions of a journey's runs, and each step's results. */
  async stats(workspaceId: string, journeyId: string): Promise<JourneyStats> {
    await this.journeys.get(workspaceId, journeyId);
    const [runs, steps, variants] = await Promise.all([
      this.repository.countRuns(workspaceId, journeyId),
      this.repository.countSteps(workspaceId, journeyId),
      this.repository.countByVariant(workspaceId, journeyId),
    ]);
    const experiments: JourneyStats['experiments'] = {};
    for (const { variant, runs: taken, converted } of variants) {
      const split = variant.lastIndexOf(':');
      (experiments[variant.slice(0, split)] ??= {})[variant.slice(split + 1)] = { runs: taken, converted };
    }
    const byStatus = (status: RunStatus) => sum(runs.filter((group) => group.status === status));
    const stepStats: JourneyStats['steps'] = {};
    for (const { stepId, result, count } of steps) (stepStats[stepId] ??= {})[result] = count;
    return {
      entered: sum(runs),
      running: byStatus('running'),
      completed: byStatus('completed'),
      exited: byStatus('exited'),
      failed: byStatus('failed'),
      converted: sum(runs.filter((group) => group.converted)),
      steps: stepStats,
      experiments,
    };
  }
}

const sum = (groups: ReadonlyArray<{ count: number }>) => groups.reduce((total, group) => total + group.count, 0);

function groupByRun(steps: readonly StepLogRecord[]): Map<string, StepView[]> {
  const byRun = new Map<string, StepView[]>();
  for (const { runId, stepId, type, at, result, detail } of steps) {
    const list = byRun.get(runId) ?? byRun.set(runId, []).get(runId)!;
    list.push({ stepId, type, at, result, ...(detail && { detail }) });
  }
  return byRun;
}

function asTriggerExecution(run: ExecutionView): TriggerExecution {
  return {
    id: run.runId,
    triggerId: run.journeyId,
    leadId: run.leadId,
    executedAt: run.enteredAt,
    actions: run.steps.map((step) => ({
      id: step.stepId,
      action: step.type,
      result: step.result,
      executedAt: step.at,
      ...(step.detail && { detail: step.detail }),
    })),
    context: {
      version: run.version,
      triggerMessageId: run.triggerMessageId,
      triggerType: run.triggerType,
      status: run.status,
      converted: run.converted,
      ...(run.exitReason && { exitReason: run.exitReason }),
      ...(run.endedAt && { endedAt: run.endedAt }),
    },
  };
}
