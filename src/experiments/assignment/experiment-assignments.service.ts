import { HttpStatus, Injectable } from '@nestjs/common';
import { AppError } from '../../common/app-error';
import { CommonErrorCode } from '../../common/error-codes';
import { IngestionService } from '../../events/ingestion.service';
import type { LeadRecord } from '../../leads/leads.repository';
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
  /** Null for a visitor not yet known whom the experiment does not take (no lead is made for it). */
  leadId: string | null;
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
    return this.variantOf(workspaceId, experiment, id, await this.leads.findLeadOrNull(workspaceId, id), now);
  }

  /**
   * {@link variantFor} by experiment id, for a journey's experiment step: undefined when the
   * experiment or the lead is gone (the step then takes its `otherwise` steps, and no lead is made).
   */
  async variantForJourney(workspaceId: string, experimentId: string, leadId: string) {
    const experiment = await this.experiments.find(workspaceId, experimentId);
    const lead = experiment && (await this.leads.findLeadOrNull(workspaceId, leadId));
    return lead ? this.variantOf(workspaceId, experiment, leadId, lead, new Date()) : undefined;
  }

  private async variantOf(
    workspaceId: string,
    experiment: ExperimentRecord,
    id: string,
    known: Pick<LeadRecord, 'id' | 'mergedLeadIds'> | null,
    now: Date,
  ): Promise<VariantAnswer> {
    const leadIds = known ? [known.id, ...(known.mergedLeadIds ?? [])] : [];
    let leadId: string | null = leadIds[0] ?? null;
    const answer = (variant: Variant, inExperiment: boolean, reason: AssignmentReason): VariantAnswer => ({
      experimentId: experiment.id,
      leadId,
      variantId: variant.id,
      variant: { id: variant.id, name: variant.name, content: variant.content },
      inExperiment,
      reason,
    });
    // The id as asked (a userId, an anonymousId, a lead id) is hashed, as a GrowthBook SDK
    // given the same id hashes it; the variant then sticks to the lead, whichever id asks.
    const decision = decideVariant(experiment, id);
    if ('reason' in decision && (decision.reason === 'concluded' || decision.reason === 'not_running'))
      return answer(decision.variant, decision.inExperiment, decision.reason);
    const existing = leadIds.length ? await this.assignments.find(workspaceId, experiment.id, leadIds) : null;
    const stored = existing && experiment.variants.find((variant) => variant.id === existing.variantId);
    if (existing && stored) {
      if (existing.exposureOwed) await this.expose(workspaceId, experiment, existing, now);
      return answer(stored, true, 'sticky');
    }
    if ('reason' in decision) return answer(decision.variant, decision.inExperiment, decision.reason);
    if (!(await this.eligible(workspaceId, experiment, leadIds)))
      return answer(controlOf(experiment.variants), false, 'not_eligible');
    // A first-time visitor (a website asking before any event): its lead is made now, by the
    // id as an anonymousId, so the exposure has a lead; asking again finds the same one.
    leadId ??= await this.newVisitor(workspaceId, id, now);
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

  private async newVisitor(workspaceId: string, anonymousId: string, now: Date): Promise<string> {
    const [resolution] = await this.leads.resolve(workspaceId, [{ type: 'track', anonymousId }], now);
    if (!('leadId' in resolution))
      throw new AppError(CommonErrorCode.ValidationFailed, HttpStatus.BAD_REQUEST, `leadId: ${resolution.rejected}`);
    return resolution.leadId;
  }

  /**
   * Members of a target segment (any of them), and leads whose rollups meet the allocation's
   * criteria; a visitor not yet known is neither.
   */
  private async eligible(workspaceId: string, experiment: ExperimentRecord, leadIds: string[]): Promise<boolean> {
    const { segments, criteria } = experiment.allocation;
    if (!leadIds.length) return !segments?.length && !criteria;
    if (segments?.length && !(await this.segments.memberOfAny(workspaceId, leadIds, segments))) return false;
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
