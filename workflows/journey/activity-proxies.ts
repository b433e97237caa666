import { proxyActivities } from '@temporalio/workflow';
import type { JourneyActivities } from '../contracts/journey-activities';

// Steps that act on the world retry without an attempt limit for up to a day: each is
// idempotent by its step key, so an outage (SMTP down for an hour) delays a send, never
// doubles it, and a run does not fail over a blip.
export const { sendEmail, sendSms, assignAgent, createTask, updateLead } = proxyActivities<JourneyActivities>({
  startToCloseTimeout: '30 seconds',
  scheduleToCloseTimeout: '24 hours',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

// Someone else's endpoint: the activity makes a 4xx final; anything else gets five tries,
// after which the run fails visibly rather than hammering it for a day.
export const { callWebhook } = proxyActivities<JourneyActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumAttempts: 5 },
});

// Reads and bookkeeping in our own database: quick, retried until the database is back.
export const {
  getJourneyDefinition,
  getLeadFacts,
  assignJourneyVariant,
  recordRunStarted,
  recordStep,
  recordRunEnded,
} = proxyActivities<JourneyActivities>({
  startToCloseTimeout: '10 seconds',
});
