import { Injectable } from '@nestjs/common';
import { EventsRepository } from '../../events/events.repository';
import { LeadsService } from '../../leads/leads.service';
import { matchesCriteria } from '../criteria/evaluate-criteria';
import { keptEvents } from '../criteria/kept-events';
import { LeadFilter, rollupFilter } from '../criteria/rollup-filter';
import type { Criteria } from '../criteria/segment-criteria';
import { eventsByLead } from '../evaluation/events-by-lead';

export interface SegmentPreviewResult {
  /** Leads that meet the criteria now. */
  count: number;
  /** Leads evaluated: every lead of the workspace (merged-away leads are not leads). */
  evaluated: number;
  /** Up to `sampleSize` members, the first in id order, with their traits. */
  sample: Array<{ leadId: string; traits: Record<string, unknown> }>;
  /** The time the criteria were evaluated at, and how long the preview took. */
  at: Date;
  durationMs: number;
  /** `rollups`: the criteria were one query over the leads' counters and traits; `events`: every lead was evaluated. */
  via: 'rollups' | 'events';
}

/**
 * Who criteria would hold, without saving anything, so a CRM team sees a segment's size
 * before creating it. Criteria that only count event types all-time and read traits and
 * score are one query over the leads' write-time rollups; any other runs the evaluation a
 * recalculation runs (one pass over the events the criteria reach, then every lead with
 * its traits and score), read-only.
 */
@Injectable()
export class SegmentPreview {
  constructor(
    private readonly events: EventsRepository,
    private readonly leads: LeadsService,
  ) {}

  async preview(workspaceId: string, criteria: Criteria, sampleSize: number): Promise<SegmentPreviewResult> {
    const filter = rollupFilter(criteria);
    return filter ? this.byRollups(workspaceId, filter, sampleSize) : this.byEvents(workspaceId, criteria, sampleSize);
  }

  /** One query over the leads' rollups and traits: criteria that {@link rollupFilter} compiles. */
  async byRollups(workspaceId: string, filter: LeadFilter, sampleSize: number): Promise<SegmentPreviewResult> {
    const started = Date.now();
    const { count, total, leads } = await this.leads.leadsMatching(workspaceId, filter, sampleSize);
    const sample = leads.map(({ id, traits }) => ({ leadId: id, traits }));
    return { count, evaluated: total, sample, at: new Date(started), durationMs: Date.now() - started, via: 'rollups' };
  }

  /** Every lead evaluated with the events the criteria reach: any criteria. */
  async byEvents(workspaceId: string, criteria: Criteria, sampleSize: number): Promise<SegmentPreviewResult> {
    const started = Date.now();
    const at = new Date(started);
    const { byLead } = await eventsByLead(this.events, workspaceId, criteria, at);
    const result: SegmentPreviewResult = { count: 0, evaluated: 0, sample: [], at, durationMs: 0, via: 'events' };
    for await (const { id, traits } of this.leads.leadsInOrder(workspaceId, undefined)) {
      result.evaluated++;
      const events = keptEvents(criteria, byLead.get(id) ?? [], at);
      const score = typeof traits.score === 'number' ? traits.score : undefined;
      if (!matchesCriteria(criteria, { traits, score, events }, at)) continue;
      if (result.count++ < sampleSize) result.sample.push({ leadId: id, traits });
    }
    return { ...result, durationMs: Date.now() - started };
  }
}
