import { Injectable, OnModuleInit } from '@nestjs/common';
import { eventId } from '../../events/events.repository';
import { NUDGE_SOURCE_ID } from '../../events/ingestion.service';
import { IngestionDispatcher, StoredBatch } from '../../events/ingestion-dispatcher';
import { ActiveSegmentsCache } from './active-segments.cache';
import { LeadToEvaluate, SegmentEvaluator } from './segment-evaluator';

/**
 * Real-time membership: after each stored batch, the workspace's active criteria segments
 * are evaluated again for the batch's leads only, with the batch's events. Runs before the
 * client's 200, so a failure here fails the request and the client's retry redoes it (kept
 * events are a set, so a retried event is kept once). A workspace with no criteria segment
 * costs one cached lookup per batch. Segment events themselves are not evaluated: criteria
 * cannot read segment_entered/_exited (segments of segments are not supported).
 */
@Injectable()
export class SegmentMembershipListener implements OnModuleInit {
  constructor(
    private readonly dispatcher: IngestionDispatcher,
    private readonly active: ActiveSegmentsCache,
    private readonly evaluator: SegmentEvaluator,
  ) {}

  onModuleInit(): void {
    // First: journeys that target segments read the memberships this batch makes.
    this.dispatcher.subscribe((batch) => this.onBatch(batch), { first: true });
  }

  async onBatch({ workspaceId, events }: StoredBatch): Promise<void> {
    // Nudge's own events (segment_entered/_exited) are recorded while a membership change is
    // being announced; evaluating them again would announce that change again, without end.
    if (events.every((event) => event.sourceId === NUDGE_SOURCE_ID)) return;
    const segments = await this.active.of(workspaceId);
    if (!segments.length) return;
    const byLead = new Map<string, LeadToEvaluate & { events: LeadToEvaluate['events'][number][] }>();
    for (const event of events) {
      let lead = byLead.get(event.leadId);
      if (!lead) byLead.set(event.leadId, (lead = { leadId: event.leadId, events: [] }));
      if (event.eventType)
        lead.events.push({
          id: eventId(event.sourceId, event.messageId),
          type: event.eventType,
          timestamp: new Date(event.timestamp),
          properties: event.properties,
        });
    }
    const now = new Date();
    const leads = [...byLead.values()];
    // One segment after another: each is a read and at most one write for the whole batch.
    for (const segment of segments) await this.evaluator.evaluate(workspaceId, segment, leads, now);
  }
}
