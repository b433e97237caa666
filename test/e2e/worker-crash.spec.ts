import {
  abandonQuoteForm,
  buildApp,
  Execution,
  HangingRelay,
  runOf,
  spawnWorker,
  startHangingRelay,
  until,
  WorkerProcess,
} from '../support/faults';
import { SmtpSink, startSmtpSink } from '../support/smtp';
import { databaseOf, useApi } from '../support/tracking';

// Compiling the app and waiting out an activity timeout take longer than jest's default.
jest.setTimeout(180_000);

/**
 * The worker process SIGKILLed mid-journey and started again: Temporal hands the run to the
 * new process, which carries on from the run's history; what the dead one did is not done
 * again. The worker runs as `npm run start:worker` would (compiled, its own OS process), the
 * API in this process, the SMTP server is real.
 */
describe('the worker killed mid-journey and restarted', () => {
  let build: Awaited<ReturnType<typeof buildApp>> | undefined;
  let smtp: SmtpSink;
  let relay: HangingRelay;
  const workers: WorkerProcess[] = [];
  // Waits ×0.0015: the example's 60 and 120 minutes take 5.4 and 10.8 s, time enough to
  // kill the worker during the second. Set before the API loads; a run takes the scale of
  // the API that matched its event.
  const waitScale = '0.0015';

  beforeAll(async () => {
    process.env.JOURNEY_WAIT_SCALE = waitScale;
    smtp = await startSmtpSink();
    relay = await startHangingRelay(smtp.port);
    build = await buildApp();
  }, 120_000);
  afterAll(async () => {
    await Promise.all(workers.map((worker) => worker.stop()));
    await relay?.close();
    await smtp?.close();
    await build?.remove();
  });
  // Each case leaves no worker behind to poll the task queue during the next one.
  afterEach(async () => {
    await Promise.all(workers.map((worker) => worker.stop()));
  });
  const nudge = useApi();

  const startWorker = () => {
    const worker = spawnWorker(build!.dir, {
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      MONGODB_URI: process.env.MONGODB_URI!,
      TEMPORAL_ADDRESS: process.env.TEMPORAL_ADDRESS!,
      TEMPORAL_TASK_QUEUE: process.env.TEMPORAL_TASK_QUEUE!,
      SMTP_URL: `smtp://127.0.0.1:${relay.port}`,
      JOURNEY_WAIT_SCALE: waitScale,
    });
    workers.push(worker);
    return worker;
  };
  const mailsTo = (email: string) => smtp.received.filter((mail) => mail.to.includes(email));
  const stepIds = (run: Execution | undefined) => run?.steps.map((step) => step.stepId);
  const ended = (userId: string, worker: WorkerProcess) =>
    until(
      'the run to end',
      async () => {
        const run = await runOf(nudge.client, userId);
        return run?.status !== 'running' && run;
      },
      { timeoutMs: 150_000, alive: () => worker.assertAlive() },
    );

  /** What a run of the example journey leaves behind when it went through once. */
  async function expectCompletedOnce(run: Execution, userId: string, email: string) {
    expect(run.status).toBe('completed');
    expect(run.steps.map((step) => [step.stepId, step.result])).toEqual([
      ['wait-1h', 'done'],
      ['recovery-email', 'done'],
      ['wait-2h', 'done'],
      ['assign-agent', 'done'],
    ]);
    expect(mailsTo(email)).toHaveLength(1);
    const deliveries = await databaseOf(nudge.api.app).collection('deliveries').find({ runId: run.runId }).toArray();
    expect(deliveries).toEqual([expect.objectContaining({ stepId: 'recovery-email', status: 'sent', to: email })]);
    const assignments = await nudge.client.get<{ assignments: object[] }>(`/v1/assignments?leadId=${userId}`);
    expect(assignments.body.assignments).toEqual([
      expect.objectContaining({ id: `${run.runId}:assign-agent`, status: 'open' }),
    ]);
    return deliveries[0];
  }

  it('completes the journey when killed during a wait after the email, without sending it again', async () => {
    const first = startWorker();
    const { userId, email } = await abandonQuoteForm(nudge.client, 'crash-wait');

    await until(
      'the recovery email to be sent and logged',
      async () => {
        const run = await runOf(nudge.client, userId);
        return mailsTo(email).length > 0 && run?.steps.some((s) => s.stepId === 'recovery-email');
      },
      { alive: () => first.assertAlive() },
    );
    await first.kill();

    // The kill landed mid-journey: in the second wait, with the email sent and logged.
    const atKill = await runOf(nudge.client, userId);
    expect(atKill?.status).toBe('running');
    expect(stepIds(atKill)).toEqual(['wait-1h', 'recovery-email']);

    const second = startWorker();
    const run = await ended(userId, second);

    const delivery = await expectCompletedOnce(run, userId, email);
    // The new worker replayed the send from history instead of calling the activity again.
    expect(delivery.attempts).toBe(1);
  });

  it('retries a send in flight when the worker was killed, and the email still goes out once', async () => {
    relay.hang();
    const first = startWorker();
    const { userId, email } = await abandonQuoteForm(nudge.client, 'crash-send');
    const leadId = (await nudge.client.get<{ id: string }>(`/v1/leads/${userId}`)).body.id;
    const deliveries = databaseOf(nudge.api.app).collection('deliveries');

    // The send has started (its delivery is `sending`) and is stuck talking to the relay.
    await until(
      'the email send to be in flight',
      async () => relay.held > 0 && (await deliveries.findOne({ leadId, status: 'sending' })),
      { alive: () => first.assertAlive() },
    );
    await first.kill();
    relay.recover();

    expect(mailsTo(email)).toHaveLength(0);
    expect(stepIds(await runOf(nudge.client, userId))).toEqual(['wait-1h']);

    // Temporal retries the attempt once its start-to-close timeout (30 s) passes.
    const second = startWorker();
    const run = await ended(userId, second);

    const delivery = await expectCompletedOnce(run, userId, email);
    // The lost attempt and the retry that sent it.
    expect(delivery.attempts).toBe(2);
  });
});
