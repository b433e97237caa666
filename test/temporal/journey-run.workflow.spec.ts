import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { JourneyDefinition } from '../../workflows/contracts/journey-definition';
import {
  JOURNEY_RUN_WORKFLOW,
  journeyEventSignal,
  journeyRunId,
  journeyRunStatusQuery,
  type JourneyRunWorkflow,
} from '../../workflows/contracts/journey-run.contract';
import { Step } from '../../workflows/contracts/search-attributes';
import {
  eventually,
  journey,
  journeyEntry,
  journeyWorker,
  leadEvent,
  MINUTE,
  stubActivities,
  useJourneyTestServer,
} from '../support/journey-fixtures';
import { saveHistory } from '../support/histories';

const HOUR = 60 * MINUTE;

describe('journeyRunWorkflow (time-skipping server)', () => {
  const server = useJourneyTestServer();

  /**
   * Starts a run of `definition` for lead `leadId` as the lead workflow would (but without a
   * parent), on a worker of its own with `stub`'s activities, and runs `test` against it.
   */
  async function withRun<T>(
    leadId: string,
    definition: JourneyDefinition,
    stub: ReturnType<typeof stubActivities>,
    test: (run: WorkflowHandle<JourneyRunWorkflow>) => Promise<T>,
  ): Promise<T> {
    const taskQueue = `run-${leadId}`;
    const worker = await journeyWorker(server.env, server.workflowBundle, taskQueue, stub.activities);
    return worker.runUntil(async () => {
      const run = await server.client.workflow.start<JourneyRunWorkflow>(JOURNEY_RUN_WORKFLOW, {
        taskQueue,
        workflowId: journeyRunId('test-journey', leadId, 1),
        args: [
          {
            workspaceId: 'ws_1',
            leadId,
            journeyId: 'test-journey',
            version: 3,
            definition,
            trigger: leadEvent('m0', 'form_abandon', { formId: 'quote', plan: 'pro' }),
            waitScale: 1,
          },
        ],
      });
      return test(run);
    });
  }

  const statusOf = (run: WorkflowHandle<JourneyRunWorkflow>) => run.query(journeyRunStatusQuery);
  const stepsRecorded = (stub: ReturnType<typeof stubActivities>) =>
    stub.callsOf('recordStep').map(({ stepId, result }) => [stepId, result]);

  describe('wait_for', () => {
    const quoteRequest = {
      event: 'quote_request',
      conditions: [{ source: 'event' as const, field: 'formId', operator: 'equals' as const, value: 'quote' }],
    };
    const definition = journey([
      { id: 'settle', type: 'wait', minutes: 10 },
      {
        id: 'await-quote',
        type: 'wait_for',
        event: quoteRequest,
        timeoutMinutes: 60,
        onEvent: [{ id: 'thanks', type: 'send_email', template: 'thanks' }],
        onTimeout: [{ id: 'nudge', type: 'send_sms', template: 'nudge' }],
      },
    ]);

    it('takes onEvent for the first matching event within the timeout', async () => {
      const stub = stubActivities();

      await withRun('ld_wf_1', definition, stub, async (run) => {
        await server.env.sleep(10 * MINUTE);
        await eventually(async () => (await statusOf(run)).currentStep === 'await-quote');
        await server.env.sleep(50 * MINUTE);
        await run.signal(journeyEventSignal, leadEvent('m1', 'quote_request', { formId: 'contact' }));
        await run.signal(journeyEventSignal, leadEvent('m2', 'quote_request', { formId: 'quote' }));

        expect(await run.result()).toEqual({ outcome: 'completed', converted: false });
        expect(stub.callsOf('recordStep').find(({ stepId }) => stepId === 'await-quote')).toEqual(
          expect.objectContaining({ type: 'wait_for', result: 'matched', detail: { messageId: 'm2' } }),
        );
        expect(stepsRecorded(stub)).toEqual([
          ['settle', 'done'],
          ['await-quote', 'matched'],
          ['thanks', 'done'],
        ]);
        expect(stub.callsOf('sendSms')).toEqual([]);
        await saveHistory('wait-for-matched.run', run);
      });
    });

    it('takes onTimeout when no matching event arrives after the step starts, even one that came before', async () => {
      const stub = stubActivities();

      await withRun('ld_wf_2', definition, stub, async (run) => {
        await eventually(async () => (await statusOf(run)).currentStep === 'settle');
        await run.signal(journeyEventSignal, leadEvent('m1', 'quote_request', { formId: 'quote' }));
        await server.env.sleep(10 * MINUTE);
        await eventually(async () => (await statusOf(run)).currentStep === 'await-quote');
        await server.env.sleep(60 * MINUTE);

        expect(await run.result()).toEqual({ outcome: 'completed', converted: false });
        expect(stepsRecorded(stub)).toEqual([
          ['settle', 'done'],
          ['await-quote', 'timed_out'],
          ['nudge', 'done'],
        ]);
        expect(stub.callsOf('sendEmail')).toEqual([]);
        expect(stub.callsOf('sendSms')).toEqual([expect.objectContaining({ template: 'nudge', stepId: 'nudge' })]);
        // The timeout ran from the step's start (after `settle`), not from the run's.
        const [settled, timedOut] = stub.calls.filter(({ name }) => name === 'recordStep');
        expect(timedOut.scheduledAt - settled.scheduledAt).toBeGreaterThanOrEqual(60 * MINUTE);
        await saveHistory('wait-for-timed-out.run', run);
      });
    });
  });

  /** HH:MM of `instant` in `timeZone`. */
  const clock = (instant: number, timeZone: string) =>
    new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(
      instant,
    );

  it.each([
    ["the lead's own zone", 'Asia/Kathmandu', 'Asia/Kathmandu'],
    ['UTC for a zone Intl does not know', 'Nowhere/Atlantis', 'UTC'],
  ])('holds a send inside quiet hours until they end, in %s', async (_, leadZone, effectiveZone) => {
    const stub = stubActivities({}, { timezone: leadZone });
    // A window from 3 h before to the minute 2 h from now (server time) in the effective zone,
    // so its end instant is known exactly; Kathmandu (UTC+5:45) would not be quiet read as UTC.
    const end = Math.floor(((await server.env.currentTimeMs()) + 2 * HOUR) / MINUTE) * MINUTE;
    const definition = journey([{ id: 'reminder', type: 'send_sms', template: 'reminder' }], {
      quietHours: { start: clock(end - 3 * HOUR, effectiveZone), end: clock(end, effectiveZone) },
    });

    await withRun(`ld_quiet_${effectiveZone.length}`, definition, stub, async (run) => {
      const held = await eventually(async () => (await statusOf(run)).heldUntil);

      expect(held).toBe(new Date(end).toISOString());
      await server.env.sleep(HOUR);
      expect(stub.callsOf('sendSms')).toEqual([]);
      expect(await statusOf(run)).toEqual(expect.objectContaining({ currentStep: 'reminder', heldUntil: held }));
      await server.env.sleep(HOUR + MINUTE);

      expect(await run.result()).toEqual({ outcome: 'completed', converted: false });
      const [sms] = stub.calls.filter(({ name }) => name === 'sendSms');
      expect(sms.scheduledAt).toBeGreaterThanOrEqual(end);
      expect((await statusOf(run)).heldUntil).toBeUndefined();
      expect(stub.callsOf('getLeadFacts')).toEqual([
        { workspaceId: 'ws_1', leadId: `ld_quiet_${effectiveZone.length}` },
      ]);
      if (effectiveZone !== 'UTC') await saveHistory('quiet-hours.run', run);
    });
  });

  it('loads the definition of the version it was entered with, by reference, before its first step', async () => {
    const definition = journey([{ id: 'welcome', type: 'send_email', template: 'welcome' }]);
    journeyEntry('by-reference', definition);
    const stub = stubActivities();
    const taskQueue = 'run-by-reference';
    const worker = await journeyWorker(server.env, server.workflowBundle, taskQueue, stub.activities);

    await worker.runUntil(async () => {
      const run = await server.client.workflow.start<JourneyRunWorkflow>(JOURNEY_RUN_WORKFLOW, {
        taskQueue,
        workflowId: journeyRunId('by-reference', 'ld_ref', 1),
        args: [
          {
            workspaceId: 'ws_1',
            leadId: 'ld_ref',
            journeyId: 'by-reference',
            version: 1,
            trigger: leadEvent('m0', 'form_abandon'),
            waitScale: 1,
          },
        ],
      });
      expect(await run.result()).toEqual({ outcome: 'completed', converted: false });
      await saveHistory('definition-by-reference.run', run);
    });

    expect(stub.calls.map(({ name }) => name)).toEqual([
      'getJourneyDefinition',
      'recordRunStarted',
      'sendEmail',
      'recordStep',
      'recordRunEnded',
    ]);
    expect(stub.callsOf('getJourneyDefinition')).toEqual([
      { workspaceId: 'ws_1', journeyId: 'by-reference', version: 1 },
    ]);
  });

  it('retries a failing send with the same idempotency key and records the step once', async () => {
    let attempts = 0;
    const stub = stubActivities({
      sendEmail: (input) => {
        attempts += 1;
        if (attempts < 3) return Promise.reject(new Error('SMTP unavailable'));
        return Promise.resolve({ status: 'sent', deliveryId: `d-${input.key}`, providerId: 'smtp-1' });
      },
    });
    const definition = journey([{ id: 'welcome', type: 'send_email', template: 'welcome' }]);

    await withRun('ld_retry', definition, stub, async (run) => {
      await server.env.sleep(MINUTE); // the retries' backoff: 1 s, then 2 s
      expect(await run.result()).toEqual({ outcome: 'completed', converted: false });

      const sends = stub.calls.filter(({ name }) => name === 'sendEmail');
      expect(sends.map(({ attempt, input }) => [attempt, input.key])).toEqual([
        [1, `${run.workflowId}:welcome`],
        [2, `${run.workflowId}:welcome`],
        [3, `${run.workflowId}:welcome`],
      ]);
      // Every record carries its run's RunRef: the worker never looks a run's owner up.
      const runRef = { workspaceId: 'ws_1', journeyId: 'test-journey', leadId: 'ld_retry', runId: run.workflowId };
      expect(stub.callsOf('recordStep')).toEqual([
        {
          ...runRef,
          stepId: 'welcome',
          type: 'send_email',
          at: expect.any(String),
          result: 'done',
          detail: { deliveryId: `d-${run.workflowId}:welcome`, providerId: 'smtp-1' },
        },
      ]);
      expect(stub.callsOf('recordRunStarted')).toEqual([expect.objectContaining({ ...runRef, version: 3 })]);
      expect(stub.callsOf('recordRunEnded')).toEqual([expect.objectContaining(runRef)]);
      expect(sends[0].input).toEqual(expect.objectContaining({ ...runRef, stepId: 'welcome', version: 3 }));
      await saveHistory('send-retried.run', run);
    });
  });

  it('branches on the lead and the trigger, runs the action steps, and ends at an exit step', async () => {
    const stub = stubActivities(
      {
        sendSms: (input) =>
          Promise.resolve({ status: 'skipped', deliveryId: `d-${input.key}`, reason: 'unsubscribed' }),
      },
      { traits: { region: 'west' }, rollups: { countsByType: { page_view: 3 } } },
    );
    const definition = journey([
      {
        id: 'is-west-pro',
        type: 'branch',
        match: 'all',
        conditions: [
          { source: 'trait', field: 'region', operator: 'equals', value: 'west' },
          { source: 'event', field: 'plan', operator: 'equals', value: 'pro' },
          { source: 'rollup', field: 'countsByType.page_view', operator: 'greater_than', value: 2 },
        ],
        then: [
          { id: 'tag', type: 'update_lead', setTraits: { stage: 'hot' }, addTags: ['west-pro'] },
          { id: 'call-back', type: 'create_task', title: 'Call back', dueInMinutes: 30 },
          { id: 'notify', type: 'webhook', url: 'https://crm.example/hook', method: 'POST', body: { hot: true } },
          { id: 'text', type: 'send_sms', template: 'hot-lead' },
          { id: 'stop', type: 'exit' },
          { id: 'never', type: 'send_email', template: 'never' },
        ],
        else: [{ id: 'cold', type: 'send_email', template: 'cold' }],
      },
    ]);

    await withRun('ld_branch', definition, stub, async (run) => {
      expect(await run.result()).toEqual({ outcome: 'exited', exitReason: 'exit_step', converted: false });

      expect(stepsRecorded(stub)).toEqual([
        ['is-west-pro', 'then'],
        ['tag', 'done'],
        ['call-back', 'done'],
        ['notify', 'done'],
        ['text', 'skipped'],
        ['stop', 'done'],
      ]);
      expect(stub.callsOf('recordStep')[4].detail).toEqual({
        deliveryId: `d-${run.workflowId}:text`,
        reason: 'unsubscribed',
      });
      expect(stub.callsOf('updateLead')).toEqual([
        expect.objectContaining({ stepId: 'tag', setTraits: { stage: 'hot' }, addTags: ['west-pro'] }),
      ]);
      const [task] = stub.calls.filter(({ name }) => name === 'createTask');
      expect(Date.parse(task.input.dueAt as string)).toBeGreaterThanOrEqual(task.scheduledAt + 29 * MINUTE);
      expect(Date.parse(task.input.dueAt as string)).toBeLessThanOrEqual(task.scheduledAt + 30 * MINUTE);
      expect(stub.callsOf('callWebhook')).toEqual([
        expect.objectContaining({ url: 'https://crm.example/hook', method: 'POST', body: { hot: true } }),
      ]);
      expect(stub.callsOf('sendEmail')).toEqual([]);
      expect(stub.callsOf('recordRunEnded')).toEqual([
        expect.objectContaining({ outcome: 'exited', exitReason: 'exit_step', converted: false }),
      ]);
      expect((await run.describe()).typedSearchAttributes.get(Step)).toBe('done');
    });
  });

  it('exits on an event whose exit criteria read the lead, and not on one whose do not hold', async () => {
    const stub = stubActivities({}, { traits: { status: 'customer' } });
    const becameCustomer = {
      event: 'status_change',
      conditions: [{ source: 'trait' as const, field: 'status', operator: 'equals' as const, value: 'customer' }],
    };
    const definition = journey(
      [
        { id: 'wait', type: 'wait', minutes: 60 },
        { id: 'email', type: 'send_email', template: 'pitch' },
      ],
      {
        exitOn: [
          { event: 'page_view', conditions: [{ source: 'event', field: 'path', operator: 'equals', value: '/bye' }] },
          becameCustomer,
        ],
      },
    );

    await withRun('ld_exit', definition, stub, async (run) => {
      await eventually(async () => (await statusOf(run)).currentStep === 'wait');
      await run.signal(journeyEventSignal, leadEvent('m1', 'page_view', { path: '/pricing' }));
      await run.signal(journeyEventSignal, leadEvent('m2', 'status_change'));

      expect(await run.result()).toEqual({ outcome: 'exited', exitReason: 'status_change', converted: false });
      expect(stub.callsOf('getLeadFacts')).toHaveLength(1); // for m2 only: m1's criteria read the event
      expect(stub.callsOf('recordStep')).toEqual([]);
      expect(stub.callsOf('sendEmail')).toEqual([]);
    });
  });

  describe('experiment step', () => {
    const definition = journey([
      {
        id: 'cta-test',
        type: 'experiment',
        experimentId: 'cta',
        holdoutVariantId: 'holdout',
        variants: {
          short: [{ id: 'short-email', type: 'send_email', template: 'short' }],
          long: [{ id: 'long-email', type: 'send_email', template: 'long' }],
        },
        otherwise: [{ id: 'default-email', type: 'send_email', template: 'default' }],
      },
      { id: 'follow-up', type: 'send_sms', template: 'follow-up' },
    ]);

    it.each([
      ['a variant with steps', { variantId: 'long', inExperiment: true, reason: 'assigned' }, ['long'], 'variant'],
      ['a variant without steps', { variantId: 'control', inExperiment: true, reason: 'sticky' }, [], 'variant'],
      ['the rolled-out winner', { variantId: 'short', inExperiment: false, reason: 'concluded' }, ['short'], 'variant'],
      [
        'not in the experiment',
        { variantId: 'control', inExperiment: false, reason: 'not_covered' },
        ['default'],
        'not_in_experiment',
      ],
      ['the experiment deleted', { inExperiment: false, reason: 'experiment_gone' }, ['default'], 'not_in_experiment'],
    ])('splits the lead by its variant: %s', async (name, answer, emails, result) => {
      const stub = stubActivities({ assignJourneyVariant: () => Promise.resolve(answer) });
      await withRun(`ld_exp_${emails.join('') || 'none'}_${result}_${name.length}`, definition, stub, async (run) => {
        expect(await run.result()).toEqual({ outcome: 'completed', converted: false });
        expect(stub.callsOf('assignJourneyVariant')).toEqual([expect.objectContaining({ experimentId: 'cta' })]);
        expect(stub.callsOf('sendEmail').map(({ template }) => template)).toEqual(emails);
        expect(stub.callsOf('sendSms')).toHaveLength(1); // the steps after the experiment
        expect(stepsRecorded(stub)[0]).toEqual(['cta-test', result]);
      });
    });

    it("ends a holdout lead's run at the step: it receives nothing", async () => {
      const stub = stubActivities({
        assignJourneyVariant: () => Promise.resolve({ variantId: 'holdout', inExperiment: true, reason: 'assigned' }),
      });
      await withRun('ld_exp_holdout', definition, stub, async (run) => {
        expect(await run.result()).toEqual({ outcome: 'exited', exitReason: 'holdout', converted: false });
        expect(stub.callsOf('sendEmail')).toEqual([]);
        expect(stub.callsOf('sendSms')).toEqual([]);
        expect(await statusOf(run)).toMatchObject({ experimentVariants: { cta: 'holdout' } });
        await saveHistory('experiment-holdout.run', run);
      });
    });
  });

  it.each([
    ['a 4xx, at once', () => ApplicationFailure.nonRetryable('HTTP 404', 'WebhookRejected'), 1],
    ['a 5xx, after five attempts', () => new Error('HTTP 503'), 5],
  ])('fails the run when a webhook fails for good: %s', async (_, failure, attempts) => {
    const stub = stubActivities({ callWebhook: () => Promise.reject(failure()) });
    const definition = journey([
      { id: 'notify', type: 'webhook', url: 'https://crm.example/hook', method: 'PUT' },
      { id: 'after', type: 'send_email', template: 'after' },
    ]);

    await withRun(`ld_hook_${attempts}`, definition, stub, async (run) => {
      await server.env.sleep(MINUTE); // the retries' backoff: 1, 2, 4, 8 s
      await expect(run.result()).rejects.toThrow(WorkflowFailedError);

      expect(stub.callsOf('callWebhook')).toHaveLength(attempts);
      expect(stub.callsOf('recordStep')).toEqual([
        expect.objectContaining({ stepId: 'notify', result: 'failed', detail: { message: failure().message } }),
      ]);
      expect(stub.callsOf('recordRunEnded')).toEqual([expect.objectContaining({ outcome: 'failed' })]);
      expect(await statusOf(run)).toEqual(expect.objectContaining({ outcome: 'failed', completedSteps: [] }));
      expect(stub.callsOf('sendEmail')).toEqual([]);
    });
  });
});
