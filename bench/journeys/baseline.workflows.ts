import { proxyActivities } from '@temporalio/workflow';
import type { BaselineActivities } from './baseline';

/**
 * The raw baseline's whole workflow: one activity that sends the email. Nothing else of
 * Nudge (lead workflow, journey run, bookkeeping activities, deliveries, caps, templates).
 * The retry policy is the journey's send steps' (workflows/journey/activity-proxies.ts).
 */
const { sendBaselineEmail } = proxyActivities<BaselineActivities>({
  startToCloseTimeout: '30 seconds',
  scheduleToCloseTimeout: '24 hours',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

export async function baselineEmailWorkflow(input: { to: string; messageId: string }): Promise<void> {
  await sendBaselineEmail(input);
}
