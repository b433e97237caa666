import { Client } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import Handlebars from 'handlebars';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createTransport } from 'nodemailer';
import { repoRoot } from '../../tools/stack/run';
import { signUnsubscribeToken } from '../../src/messaging/unsubscribe/unsubscribe-token';
import { formAbandonmentRecovery } from '../../src/journeys/examples/form-abandonment-recovery';
import { EXAMPLE_JOURNEY_ID } from '../../src/journeys/journeys.seed';
import {
  entryRules,
  LEAD_WORKFLOW,
  LeadEventSignal,
  leadEventSignal,
  LeadWorkflow,
  leadWorkflowId,
} from '../../workflows/contracts/lead.contract';
import { LeadId } from '../../workflows/contracts/search-attributes';
import type { baselineEmailWorkflow } from './baseline.workflows';
import { FORM_ABANDON, MAIL_FROM, PUBLIC_URL, SOURCE_ID, UNSUBSCRIBE_SECRET, WORKSPACE_ID } from './leads';

/**
 * The raw baselines: the same work done straight on the Temporal SDK and nodemailer, with
 * none of Nudge's layers, in the bench process.
 */

export const BASELINE_EMAIL_QUEUE = 'bench-baseline-email';
/** No worker polls it: the raw signals, like the API's once the worker is stopped, only pile up. */
export const BASELINE_SIGNAL_QUEUE = 'bench-baseline-signals';

/** An email ready to hand to nodemailer: what Nudge's send step renders for the example journey. */
export interface RenderedEmail {
  from: string;
  subject: string;
  html: string;
  text: string;
  headers: Record<string, string>;
}

/**
 * The example journey's recovery email, rendered once from templates/email with the context
 * Nudge gives it (src/messaging/messaging.service.ts, templates.service.ts), so the baseline
 * puts as many bytes on the wire as Nudge does.
 */
export async function renderRecoveryEmail(sampleLeadId: string, email: string): Promise<RenderedEmail> {
  const handlebars = Handlebars.create();
  const dir = join(repoRoot, 'templates', 'email', 'form-abandon-recovery');
  const part = async (name: string, noEscape: boolean) =>
    handlebars.compile(await readFile(join(dir, `${name}.hbs`), 'utf8'), { noEscape });
  const token = signUnsubscribeToken(UNSUBSCRIBE_SECRET, {
    workspaceId: WORKSPACE_ID,
    leadId: sampleLeadId,
    channel: 'email',
  });
  const unsubscribeUrl = `${PUBLIC_URL}/v1/unsubscribe?token=${token}`;
  const context = {
    lead: { id: sampleLeadId, traits: { email }, tags: [] },
    journey: { id: EXAMPLE_JOURNEY_ID, version: 1 },
    step: { id: 'recovery-email' },
    trigger: { type: FORM_ABANDON.event, properties: FORM_ABANDON.properties },
    unsubscribeUrl,
  };
  const recoveryStep = formAbandonmentRecovery.steps.find((step) => step.type === 'send_email');
  const subject = recoveryStep?.type === 'send_email' ? recoveryStep.subject : undefined;
  return {
    from: MAIL_FROM,
    subject: subject ?? (await part('subject', true))(context).trim(),
    html: (await part('html', false))(context),
    text: `${(await part('text', true))(context).trim()}\n`,
    headers: { 'List-Unsubscribe': `<${unsubscribeUrl}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
  };
}

export interface BaselineActivities {
  sendBaselineEmail(input: { to: string; messageId: string }): Promise<void>;
}

export interface BaselineWorker {
  stop(): Promise<void>;
}

/**
 * A worker inside the bench process for the tiny email workflow: its one activity sends the
 * pre-rendered email through nodemailer, configured as Nudge's EmailService is
 * (`createTransport(SMTP_URL)`), to the same SMTP server.
 */
export async function startBaselineWorker(
  temporalAddress: string,
  smtpUrl: string,
  email: RenderedEmail,
): Promise<BaselineWorker> {
  const transport = createTransport(smtpUrl);
  const activities: BaselineActivities = {
    async sendBaselineEmail({ to, messageId }) {
      await transport.sendMail({ ...email, to, messageId });
    },
  };
  const connection = await NativeConnection.connect({ address: temporalAddress });
  const worker = await Worker.create({
    connection,
    taskQueue: BASELINE_EMAIL_QUEUE,
    workflowsPath: require.resolve('./baseline.workflows'),
    activities,
  });
  const running = worker.run();
  return {
    async stop() {
      worker.shutdown();
      await running;
      await connection.close();
      transport.close();
    },
  };
}

/** The workflow id and recipient of the baseline email called `name`. */
export const baselineEmailOf = (name: string) => ({
  workflowId: `bench-email-${name}`,
  to: `${name}@raw.bench.example`,
});

/** Starts the baseline email workflow for one recipient. */
export async function startBaselineEmail(client: Client, workflowId: string, to: string): Promise<void> {
  await client.workflow.start<typeof baselineEmailWorkflow>('baselineEmailWorkflow', {
    taskQueue: BASELINE_EMAIL_QUEUE,
    workflowId,
    args: [{ to, messageId: `<${workflowId}@localhost>` }],
  });
}

/**
 * The signal the relay sends for a matching form_abandon (journey-trigger.listener.ts):
 * the event and a reference to the example journey's version with its entry rules, so the
 * raw loop carries the same payload.
 */
export function formAbandonSignal(messageId: string, waitScale: number): LeadEventSignal {
  return {
    event: {
      messageId: `${SOURCE_ID}:${messageId}`,
      type: FORM_ABANDON.event,
      timestamp: new Date().toISOString(),
      properties: FORM_ABANDON.properties,
    },
    entries: [
      {
        journeyId: EXAMPLE_JOURNEY_ID,
        version: 1,
        rules: entryRules(formAbandonmentRecovery),
        waitScale,
      },
    ],
  };
}

/** What the relay calls per outbox entry (journey-signal.relay.ts signalWithStart), minus the outbox. */
export async function rawSignalWithStart(client: Client, leadId: string, signal: LeadEventSignal): Promise<void> {
  await client.workflow.signalWithStart<LeadWorkflow, [LeadEventSignal]>(LEAD_WORKFLOW, {
    workflowId: leadWorkflowId(leadId),
    taskQueue: BASELINE_SIGNAL_QUEUE,
    args: [{ workspaceId: WORKSPACE_ID, leadId }],
    signal: leadEventSignal,
    signalArgs: [signal],
    typedSearchAttributes: [{ key: LeadId, value: leadId }],
  });
}
