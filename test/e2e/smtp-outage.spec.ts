import { Client, Connection } from '@temporalio/client';
import { abandonQuoteForm, runOf, until } from '../support/faults';
import type { startWorker } from '../support/nudge';
import { headerOf, SmtpSink, startSmtpSink } from '../support/smtp';
import { testStack } from '../support/stack';
import { databaseOf, useApi } from '../support/tracking';

/**
 * The SMTP relay down when a journey's email is due: the send fails and Temporal retries
 * it; once the relay is back on its port the email goes out, exactly once, and the run
 * carries on to its end. API and worker run in this process, on a real SMTP server.
 */
describe('the SMTP server down at send time', () => {
  let smtp: SmtpSink;
  /** Every sink the relay's port has had: a reopened sink starts with an empty inbox. */
  const sinks: SmtpSink[] = [];
  let worker: Awaited<ReturnType<typeof startWorker>> | undefined;
  let temporal: Client;

  beforeAll(async () => {
    smtp = await startSmtpSink();
    sinks.push(smtp);
    // Before the app is imported: its config reads the environment when it loads. Waits
    // ×0.0002: the example's 60 and 120 minutes take 0.7 and 1.4 s.
    Object.assign(process.env, { SMTP_URL: `smtp://127.0.0.1:${smtp.port}`, JOURNEY_WAIT_SCALE: '0.0002' });
    const nudgeModule = await import('../support/nudge');
    worker = await nudgeModule.startWorker();
    temporal = new Client({ connection: await Connection.connect({ address: testStack().temporalAddress }) });
  });
  afterAll(async () => {
    await worker?.stop();
    await smtp?.close();
    await temporal?.connection.close();
  });
  const nudge = useApi();

  it('sends the email exactly once after the server returns, and the run completes', async () => {
    const { port } = smtp;
    await smtp.close();

    const { userId, email } = await abandonQuoteForm(nudge.client, 'smtp-outage');
    const leadId = (await nudge.client.get<{ id: string }>(`/v1/leads/${userId}`)).body.id;
    const deliveries = databaseOf(nudge.api.app).collection('deliveries');

    // The send reached for the relay, found nobody, and left the delivery open for a retry.
    const failed = await until('the email step to fail against the stopped SMTP server', () =>
      deliveries.findOne({ leadId, stepId: 'recovery-email', status: 'failed' }),
    );
    expect(failed.lastError).toMatch(/ECONNREFUSED/);
    expect((await runOf(nudge.client, userId))?.status).toBe('running');

    smtp = await startSmtpSink({ port });
    sinks.push(smtp);

    const run = await until('the run to end', async () => {
      const current = await runOf(nudge.client, userId);
      return current?.status !== 'running' && current;
    });

    expect(run.status).toBe('completed');
    expect(run.steps.map((step) => [step.stepId, step.result])).toEqual([
      ['wait-1h', 'done'],
      ['recovery-email', 'done'],
      ['wait-2h', 'done'],
      ['assign-agent', 'done'],
    ]);
    const mails = sinks.flatMap((sink) => sink.received).filter((mail) => mail.to.includes(email));
    expect(mails).toHaveLength(1);
    expect(headerOf(mails[0].raw, 'subject')).toBe('Complete Your Quote');

    const stored = await deliveries.find({ leadId }).toArray();
    expect(stored).toEqual([
      expect.objectContaining({ stepId: 'recovery-email', status: 'sent', to: email, runId: run.runId }),
    ]);
    // At least the refused attempt and the one that went through.
    expect(stored[0].attempts).toBeGreaterThanOrEqual(2);
    // The message that arrived is this delivery's, and the step log points at it.
    expect(headerOf(mails[0].raw, 'message-id')).toBe(stored[0].providerId);
    expect(run.steps[1].detail).toEqual({ deliveryId: stored[0]._id, providerId: stored[0].providerId });

    // Temporal's retry did it: one sendEmail scheduled, started again after the refusal.
    const history = await temporal.workflow.getHandle(run.runId).fetchHistory();
    const events = history.events ?? [];
    const sends = events.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'sendEmail');
    expect(sends).toHaveLength(1);
    const started = events.find(
      (e) => String(e.activityTaskStartedEventAttributes?.scheduledEventId) === String(sends[0].eventId),
    )?.activityTaskStartedEventAttributes;
    expect(started?.attempt).toBeGreaterThanOrEqual(2);
    expect(started?.lastFailure?.message).toMatch(/ECONNREFUSED/);

    const assignments = await nudge.client.get<{ assignments: object[] }>(`/v1/assignments?leadId=${userId}`);
    expect(assignments.body.assignments).toHaveLength(1);
  });
});
