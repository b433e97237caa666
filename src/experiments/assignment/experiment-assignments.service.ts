import { HttpStatus, Injectable } from '@nestjs/common';
import { AppError } from '../../common/app-error';
import { IngestionService } from '../../events/ingestion.service';
import { LeadsService } from '../../leads/leads.service';
import { rollupFilter } from '../../segments/criteria/rollup-filter';
import { SegmentsService } from '../../segments/segments.service';
import { Assignment, AssignmentsRepository } from '../assignments.repository';
import type { Variant } from '../experiment.model';
import { ExperimentRecord, ExperimentsRepository } from '../experiments.repository';
import { AssignmentReason, controlOf, decideVariant } from './decide-variant';

/** The event each lead's first assignment records (Segment's "Experiment Viewed", in Nudge's casing). */
export const EXPOSURE_EVENT = 'experiment_viewed';

export interface VariantAnswer {
  experimentId: string;
  leadId: string;
  variantId: string;
  variant: Pick<Variant, 'id' | 'name' | 'content'>;
  inExperiment: boolean;
  reason: AssignmentReason;
}

/**
 * A lead's variant: the winner once concluded, control when the experiment is not running,
 * the stored variant once assigned (sticky, also after coverage or segments change), else
 * the hash's, if the allocation admits the lead. A first assignment is stored once and
 * records one `experiment_viewed` event on the lead.
 */
@Injectable()
export class ExperimentAssignments {
  constructor(
    private readonly assignments: AssignmentsRepository,
    private readonly experiments: ExperimentsRepository,
    private readonly leads: LeadsService,
    private readonly segments: SegmentsService,
    private readonly ingestion: IngestionService,
  ) {}

  async variantFor(workspaceId: string, experiment: ExperimentRecord, id: string, now = new Date()) {
    const leadIds = await this.leads.findLeadIds(workspaceId, id);
    const leadId = leadIds[0];
    const answer = (variant: Variant, inExperiment: boolean, reason: AssignmentReason): VariantAnswer => ({
      experimentId: experiment.id,
      leadId,
      variantId: variant.id,
      variant: { id: variant.id, name: variant.name, content: variant.content },
      inExperiment,
      reason,
    });
    const decision = decideVariant(experiment, leadId);
    if ('reason' in decision && (decision.reason === 'concluded' || decision.reason === 'not_running'))
      return answer(decision.variant, decision.inExperiment, decision.reason);
    const existing = await this.assignments.find(workspaceId, experiment.id, leadIds);
    const stored = existing && experiment.variants.find((variant) => variant.id === existing.variantId);
    if (existing && stored) {
      if (existing.exposureOwed) await this.expose(workspaceId, experiment, existing, now);
      return answer(stored, true, 'sticky');
    }
    if ('reason' in decision) return answer(decision.variant, decision.inExperiment, decision.reason);
    if (!(await this.eligible(workspaceId, experiment, leadIds))) {
      return answer(controlOf(experiment.variants), false, 'not_eligible');
    }
    const { inserted, assignment } = await this.assignments.assignOnce(workspaceId, experiment.id, {
      leadId,
      variantId: decision.enter.id,
      assignedAt: now,
      exposureOwed: true,
    });
    if (assignment.exposureOwed) await this.expose(workspaceId, experiment, assignment, now);
    const variant = experiment.variants.find(({ id: variantId }) => variantId === assignment.variantId)!;
    return answer(variant, true, inserted ? 'assigned' : 'sticky');
  }

  /**
   * {@link variantFor} by experiment id, for a journey's experiment step: undefined when the
   * experiment or the lead is gone (the step then takes its `otherwise` steps).
   */
  async variantForJourney(workspaceId: string, experimentId: string, leadId: string) {
    const experiment = await this.experiments.find(workspaceId, experimentId);
    if (!experiment) return undefined; // deleted: the step takes its otherwise steps
    try {
      return await this.variantFor(workspaceId, experiment, leadId);
    } catch (error) {
      if (error instanceof AppError && error.status === HttpStatus.NOT_FOUND) return undefined;
      throw error;
    }
  }

  /** Members of a target segment (any of them), and leads whose rollups meet the allocation's criteria. */
  private async eligible(workspaceId: string, experiment: ExperimentRecord, leadIds: string[]): Promise<boolean> {
    const { segments, criteria } = experiment.allocation;
    if (segments?.length) {
      const { segments: memberOf } = await this.segments.segmentsOfLead(workspaceId, leadIds[0]);
      if (!memberOf.some(({ segmentId }) => segments.includes(segmentId))) return false;
    }
    const filter = criteria && rollupFilter(criteria);
    if (filter) return (await this.leads.leadsMatchingOf(workspaceId, [leadIds[0]], filter)).size > 0;
    return true;
  }

  /** Records the lead's exposure (its messageId makes a retry store it once), then clears it as owed. */
  private async expose(workspaceId: string, experiment: ExperimentRecord, assignment: Assignment, now: Date) {
    const variant = experiment.variants.find(({ id }) => id === assignment.variantId);
    await this.ingestion.recordOnLeads(
      workspaceId,
      [
        {
          leadId: assignment.leadId,
          message: {
            type: 'track',
            event: EXPOSURE_EVENT,
            messageId: `experiment-exposure-${experiment.id}-${assignment.leadId}`,
            timestamp: assignment.assignedAt.toISOString(),
            properties: {
              experimentId: experiment.id,
              experimentName: experiment.name,
              variantId: assignment.variantId,
              variantName: variant?.name,
            },
          },
        },
      ],
      now,
    );
    await this.assignments.exposureRecorded(workspaceId, experiment.id, assignment.leadId);
  }
}
