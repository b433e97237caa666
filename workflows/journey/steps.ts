import { ActivityFailure, isCancellation, sleep, upsertSearchAttributes } from '@temporalio/workflow';
import type { SendResult } from '../contracts/journey-activities';
import type { JourneyStep } from '../contracts/journey-definition';
import { Step } from '../contracts/search-attributes';
import { matchesAll, matchesAny } from '../lib/conditions';
import { conditionFacts, readsLead } from '../lib/event-match';
import { quietHoursEnd, resolveTimeZone } from '../lib/quiet-hours';
import { nestedSteps } from '../lib/nested-steps';
import {
  assignAgent,
  assignJourneyVariant,
  callWebhook,
  createTask,
  sendEmail,
  sendSms,
  updateLead,
} from './activity-proxies';
import { leadFacts, MINUTE, nextMatch, record, RunContext, stepContext } from './run-context';

/** Set when a step ended the run early: an `exit` step, or an experiment's holdout. */
export type StepsEnd = 'exit_step' | 'holdout' | undefined;

/** Interprets `steps` in order, nested branches included, until they end or an exit step. */
export async function runSteps(run: RunContext, steps: readonly JourneyStep[]): Promise<StepsEnd> {
  for (const step of steps) {
    run.status.currentStep = step.id;
    upsertSearchAttributes([{ key: Step, value: step.id }]);
    try {
      const end = await runStep(run, step);
      if (end) return end;
    } catch (error) {
      // An activity out of retries fails the run; say which step, for the lead's timeline
      // (once: a step holding steps only passes on the failure of a step inside it).
      const nested = nestedSteps(step).length > 0;
      if (error instanceof ActivityFailure && !isCancellation(error) && !nested) {
        await record(run, step, 'failed', { message: error.cause?.message ?? error.message });
      }
      throw error;
    }
  }
  return undefined;
}

async function runStep(run: RunContext, step: JourneyStep): Promise<StepsEnd | void> {
  const { waitScale, trigger } = run.input;
  const context = stepContext(run, step.id);
  switch (step.type) {
    case 'wait':
      if (step.minutes * waitScale > 0) await sleep(step.minutes * MINUTE * waitScale);
      return record(run, step, 'done');
    case 'wait_for': {
      const event = await nextMatch(run, step.event, run.inbox.length, step.timeoutMinutes * MINUTE * waitScale);
      await record(run, step, event ? 'matched' : 'timed_out', event && { messageId: event.messageId });
      return runSteps(run, event ? step.onEvent : step.onTimeout);
    }
    case 'branch': {
      const lead = readsLead(step.conditions) ? await leadFacts(run) : undefined;
      const test = step.match === 'any' ? matchesAny : matchesAll;
      const then = test(step.conditions, conditionFacts(trigger.properties, lead));
      await record(run, step, then ? 'then' : 'else');
      return runSteps(run, then ? step.then : step.else);
    }
    case 'send_email':
    case 'send_sms': {
      await holdForQuietHours(run);
      const { template } = step;
      const sent =
        step.type === 'send_email'
          ? await sendEmail({
              ...context,
              template,
              trigger,
              ...(step.subject !== undefined && { subject: step.subject }),
            })
          : await sendSms({ ...context, template, trigger });
      return recordSend(run, step, sent);
    }
    case 'assign_agent': {
      const { strategy, matchTrait, reason } = step;
      const assignment = await assignAgent({ ...context, strategy, matchTrait, reason });
      return record(run, step, 'done', { ...assignment });
    }
    case 'create_task': {
      // A due date is a promise to a person, in real time: waitScale does not shorten it.
      const dueAt = step.dueInMinutes === undefined ? undefined : Date.now() + step.dueInMinutes * MINUTE;
      const { taskId } = await createTask({
        ...context,
        title: step.title,
        ...(dueAt !== undefined && { dueAt: new Date(dueAt).toISOString() }),
      });
      return record(run, step, 'done', { taskId });
    }
    case 'webhook': {
      const { url, method, body } = step;
      const { status } = await callWebhook({ ...context, url, method, ...(body && { body }) });
      return record(run, step, 'done', { status });
    }
    case 'update_lead': {
      const { setTraits, addTags } = step;
      await updateLead({ ...context, ...(setTraits && { setTraits }), ...(addTags && { addTags }) });
      return record(run, step, 'done');
    }
    case 'experiment': {
      const assigned = await assignJourneyVariant({ ...context, experimentId: step.experimentId });
      // A rolled-out winner is followed like a variant; anyone else outside goes `otherwise`.
      const { variantId } = assigned;
      if (!variantId || (!assigned.inExperiment && assigned.reason !== 'concluded')) {
        await record(run, step, 'not_in_experiment', { reason: assigned.reason });
        return runSteps(run, step.otherwise);
      }
      run.status.experimentVariants = { ...run.status.experimentVariants, [step.experimentId]: variantId };
      if (variantId === step.holdoutVariantId) {
        await record(run, step, 'holdout', { variantId });
        return 'holdout';
      }
      await record(run, step, 'variant', { variantId });
      return runSteps(run, step.variants[variantId] ?? []);
    }
    case 'exit':
      await record(run, step, 'done');
      return 'exit_step';
  }
}

function recordSend(run: RunContext, step: JourneyStep, sent: SendResult): Promise<void> {
  return sent.status === 'sent'
    ? record(run, step, 'done', { deliveryId: sent.deliveryId, providerId: sent.providerId })
    : record(run, step, 'skipped', { deliveryId: sent.deliveryId, reason: sent.reason });
}

/** Waits out the journey's quiet hours in the lead's time zone (UTC when unknown). */
async function holdForQuietHours(run: RunContext): Promise<void> {
  const quiet = run.definition.quietHours;
  if (!quiet) return;
  const { timezone } = await leadFacts(run);
  const until = quietHoursEnd(Date.now(), quiet, resolveTimeZone(timezone));
  if (until === null) return;
  run.status.heldUntil = new Date(until).toISOString();
  try {
    await sleep(until - Date.now());
  } finally {
    delete run.status.heldUntil;
  }
}
