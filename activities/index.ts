import type { JourneyActivities } from '../workflows/contracts/journey-activities';
import type { ExperimentActivities } from '../workflows/contracts/experiment.contract';
import type { SegmentActivities } from '../workflows/contracts/segment.contract';
import { AgentsDeps, createAgentsActivities } from './agents.activities';
import { createExperimentsActivities, ExperimentsDeps } from './experiments.activities';
import { createJourneyLogActivities, JourneyLogDeps } from './journey-log.activities';
import { createJourneysActivities, JourneysDeps } from './journeys.activities';
import { createLeadsActivities, LeadsDeps } from './leads.activities';
import { createMessagingActivities, MessagingDeps } from './messaging.activities';
import { createSegmentsActivities, SegmentsDeps } from './segments.activities';
import { createSelfCheckActivities, SelfCheckDeps } from './self-check.activities';
import { createWebhookActivities, WebhookDeps } from './webhook.activities';

/** Everything activities may touch, handed in by the worker from Nest's container. */
export type ActivityDeps = SelfCheckDeps &
  AgentsDeps &
  LeadsDeps &
  JourneysDeps &
  JourneyLogDeps &
  WebhookDeps &
  MessagingDeps &
  SegmentsDeps &
  ExperimentsDeps;

/** Builds every activity the worker registers; workflows proxy them by name. */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createSelfCheckActivities(deps),
    ...createLeadsActivities(deps),
    ...createJourneysActivities(deps),
    ...createAgentsActivities(deps),
    ...createMessagingActivities(deps),
    ...createWebhookActivities(deps),
    ...createJourneyLogActivities(deps),
    ...createSegmentsActivities(deps),
    ...createExperimentsActivities(deps),
  } satisfies JourneyActivities & SegmentActivities & ExperimentActivities;
}

export type Activities = ReturnType<typeof createActivities>;
