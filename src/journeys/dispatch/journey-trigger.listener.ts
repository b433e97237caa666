import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { entryRules, type JourneyEntry, type LeadEvent } from '../../../workflows/contracts/lead.contract';
import type { ConditionFacts } from '../../../workflows/lib/conditions';
import { AppConfig, ConfigService } from '../../config/config.module';
import { EventRecord } from '../../events/events.repository';
import { IngestionDispatcher, StoredBatch } from '../../events/ingestion-dispatcher';
import { LeadsService } from '../../leads/leads.service';
import { SegmentsService } from '../../segments/segments.service';
import { JourneysService } from '../journeys.service';
import { JourneyOutboxRepository, OutboxRecord } from './journey-outbox.repository';
import { JourneySignalRelay } from './journey-signal.relay';
import { MatchableJourney, TriggerMatcher } from './trigger-matcher';

/** How long another API instance's publish may take to reach this one's matcher. */
const MATCHER_TTL_MS = 5_000;

/**
 * Between ingestion and Temporal: matches each stored event against the workspace's
 * journeys and, only for the few that matter, writes the lead workflow's signal to the
 * outbox before the client's 200. The relay delivers it from there.
 */
@Injectable()
export class JourneyTriggerListener implements OnModuleInit {
  private readonly matchers = new LRUCache<string, Promise<TriggerMatcher>>({ max: 10_000, ttl: MATCHER_TTL_MS });
  private readonly waitScale: number;

  constructor(
    private readonly dispatcher: IngestionDispatcher,
    private readonly journeys: JourneysService,
    private readonly leads: LeadsService,
    private readonly segments: SegmentsService,
    private readonly outbox: JourneyOutboxRepository,
    private readonly relay: JourneySignalRelay,
    @Inject(ConfigService) config: AppConfig,
  ) {
    this.waitScale = config.get('JOURNEY_WAIT_SCALE', { infer: true });
  }

  onModuleInit(): void {
    this.dispatcher.subscribe((batch) => this.onBatch(batch));
    this.journeys.onChange((workspaceId) => this.matchers.delete(workspaceId));
  }

  async onBatch({ workspaceId, events }: StoredBatch): Promise<void> {
    const matcher = await this.matcherFor(workspaceId);
    const leadFacts = new Map<string, Promise<ConditionFacts>>();
    const factsOf = (leadId: string) => {
      if (!leadFacts.has(leadId)) leadFacts.set(leadId, this.leadFacts(workspaceId, leadId));
      return leadFacts.get(leadId)!;
    };
    const leadSegments = new Map<string, Promise<Set<string>>>();
    const segmentsOf = (leadId: string) => {
      if (!leadSegments.has(leadId)) leadSegments.set(leadId, this.leadSegments(workspaceId, leadId));
      return leadSegments.get(leadId)!;
    };
    const owed = await Promise.all(
      events.map(async (event): Promise<OutboxRecord | undefined> => {
        if (!event.eventType) return undefined;
        const leadEvent = toLeadEvent(event);
        const found = matcher.match({ type: leadEvent.type, properties: leadEvent.properties });
        const admitted = found.needsLead
          ? matcher.admit(found.entries, { ...(await factsOf(event.leadId)), event: leadEvent.properties })
          : found.entries;
        const entries = await inTargetSegments(admitted, () => segmentsOf(event.leadId));
        if (!entries.length && !found.watched) return undefined;
        // A reference and the entry rules, not the definition: the run loads its version.
        const journeyEntries: JourneyEntry[] = entries.map(({ journeyId, version, definition }) => ({
          journeyId,
          version,
          rules: entryRules(definition),
          waitScale: this.waitScale,
        }));
        const now = new Date();
        return {
          id: `${event.sourceId}:${event.messageId}`,
          workspaceId,
          leadId: event.leadId,
          mode: journeyEntries.length ? 'start' : 'signal',
          signal: { event: leadEvent, entries: journeyEntries },
          createdAt: now,
          attempts: 0,
          nextAttemptAt: now,
        };
      }),
    );
    const entries = owed.filter((entry): entry is OutboxRecord => entry !== undefined);
    if (!entries.length) return;
    await this.outbox.enqueue(entries);
    this.relay.wake();
  }

  private matcherFor(workspaceId: string): Promise<TriggerMatcher> {
    let matcher = this.matchers.get(workspaceId);
    if (!matcher) {
      matcher = this.journeys.matchable(workspaceId).then((journeys) => new TriggerMatcher(journeys));
      matcher.catch(() => this.matchers.delete(workspaceId));
      this.matchers.set(workspaceId, matcher);
    }
    return matcher;
  }

  /** Every segment the lead is in now; read only for a journey that targets segments. */
  private async leadSegments(workspaceId: string, leadId: string): Promise<Set<string>> {
    const { segments } = await this.segments.segmentsOfLead(workspaceId, leadId);
    return new Set(segments.map(({ segmentId }) => segmentId));
  }

  private async leadFacts(workspaceId: string, leadId: string): Promise<ConditionFacts> {
    const lead = await this.leads.findLead(workspaceId, leadId);
    const profile = this.leads.toProfile(lead);
    return { trait: profile.traits, rollup: { ...profile.rollups, sessionCount: lead.sessionCount ?? 0 } };
  }
}

/**
 * The journeys whose targetSegments admit the lead: it must be in at least one of them (the
 * audience is their union, as with Braze's and Customer.io's "any of these segments").
 * A journey without targetSegments admits everyone.
 */
async function inTargetSegments(
  journeys: MatchableJourney[],
  segmentsOfLead: () => Promise<Set<string>>,
): Promise<MatchableJourney[]> {
  if (!journeys.some(({ definition }) => definition.targetSegments?.length)) return journeys;
  const memberOf = await segmentsOfLead();
  return journeys.filter(
    ({ definition }) => !definition.targetSegments?.length || definition.targetSegments.some((id) => memberOf.has(id)),
  );
}

function toLeadEvent(event: EventRecord): LeadEvent {
  return {
    // Unique across sources, as stored: what the lead workflow dedupes redeliveries by.
    messageId: `${event.sourceId}:${event.messageId}`,
    type: event.eventType!,
    timestamp: new Date(event.timestamp).toISOString(),
    properties: event.properties ?? {},
  };
}
