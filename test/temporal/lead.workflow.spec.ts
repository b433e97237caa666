import type { WorkflowHandle } from '@temporalio/client';
import { formAbandonmentRecovery } from '../../src/journeys/examples/form-abandonment-recovery';
import type { JourneyDefinition } from '../../workflows/contracts/journey-definition';
import { journeyRunStatusQuery, type JourneyRunWorkflow } from '../../workflows/contracts/journey-run.contract';
import {
  type JourneyEntry,
  LEAD_WORKFLOW,
  type LeadEvent,
  leadEventSignal,
  type LeadEventSignal,
  leadStateQuery,
  type LeadWorkflow,
  leadWorkflowId,
} from '../../workflows/contracts/lead.contract';
import { JourneyId, JourneyVersion, LeadId, Step } from '../../workflows/contracts/search-attributes';
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
const abandon = (messageId: string) => leadEvent(messageId, 'form_abandon', { formId: 'quote', formCompletion: 40 });

describe('leadWorkflow and its journey runs (time-skipping server)', () => {
  const server = useJourneyTestServer();

  /** Runs `test` with a worker of its own, whose activities are `stub`'s. */
  async function withWorker<T>(taskQueue: string, stub: ReturnType<typeof stubActivities>, test: () => Promise<T>) {
    const worker = await journeyWorker(server.env, server.workflowBundle, taskQueue, stub.activities);
    return worker.runUntil(test);
  }

  /** What the API does with an event: signalWithStart the lead, with the journeys it may start. */
  async function deliver(
    taskQueue: string,
    leadId: string,
    event: LeadEvent,
    entries: JourneyEntry[] = [],
    max?: number,
  ) {
    const lead = await server.env.client.workflow.signalWithStart<LeadWorkflow, [LeadEventSignal]>(LEAD_WORKFLOW, {
      taskQueue,
      workflowId: leadWorkflowId(leadId),
      args: [{ workspaceId: 'ws_1', leadId, ...(max && { maxSignalsPerRun: max }) }],
      signal: leadEventSignal,
      signalArgs: [{ event, entries }],
    });
    return lead;
  }

  /** The lead's state once `done` holds for it (the lead handles signals asynchronously). */
  const stateWhen = (
    lead: WorkflowHandle<LeadWorkflow>,
    done: (state: Awaited<ReturnType<typeof leadState>>) => boolean,
  ) =>
    eventually(async () => {
      const state = await leadState(lead);
      return done(state) && state;
    });
  const leadState = (lead: WorkflowHandle<LeadWorkflow>) => lead.query(leadStateQuery);

  /** The run the lead's latest decision started, once it is waiting in `step`. */
  async function runAt(lead: WorkflowHandle<LeadWorkflow>, decisions: number, step: string) {
    const state = await stateWhen(lead, (s) => s.recentDecisions.length === decisions);
    const runId = state.recentDecisions[decisions - 1].runId as string;
    const run = server.client.workflow.getHandle<JourneyRunWorkflow>(runId);
    await eventually(async () => (await run.query(journeyRunStatusQuery)).currentStep === step);
    return run;
  }

  it('recovers an abandoned form: the email after 60 minutes, an agent 120 minutes later', async () => {
    const stub = stubActivities();
    const entry = journeyEntry('form-abandonment-recovery', formAbandonmentRecovery);

    await withWorker('far-completed', stub, async () => {
      const lead = await deliver('far-completed', 'ld_1', abandon('m1'), [entry]);
      const run = await runAt(lead, 1, 'wait-1h');
      const runId = run.workflowId;

      expect(runId).toBe('journey-form-abandonment-recovery-ld_1-1');
      await eventually(async () => (await run.describe()).typedSearchAttributes.get(Step) === 'wait-1h');
      await server.env.sleep(59 * MINUTE);
      expect(stub.callsOf('sendEmail')).toEqual([]);

      await server.env.sleep(MINUTE);
      await eventually(async () => (await run.query(journeyRunStatusQuery)).currentStep === 'wait-2h');
      expect(stub.callsOf('sendEmail')).toEqual([
        {
          key: `${runId}:recovery-email`,
          workspaceId: 'ws_1',
          leadId: 'ld_1',
          journeyId: 'form-abandonment-recovery',
          version: 1,
          runId,
          stepId: 'recovery-email',
          template: 'form-abandon-recovery',
          subject: 'Complete Your Quote',
          trigger: expect.objectContaining({
            type: 'form_abandon',
            properties: { formId: 'quote', formCompletion: 40 },
          }),
        },
      ]);

      await server.env.sleep(119 * MINUTE);
      expect(stub.callsOf('assignAgent')).toEqual([]);
      await server.env.sleep(MINUTE);

      expect(await run.result()).toEqual({ outcome: 'completed', converted: false });
      expect(stub.callsOf('assignAgent')).toEqual([
        expect.objectContaining({ key: `${runId}:assign-agent`, strategy: 'round_robin', reason: 'Form abandonment' }),
      ]);
      expect(stub.callsOf('recordRunStarted')).toEqual([
        expect.objectContaining({ runId, leadId: 'ld_1', triggerMessageId: 'm1', triggerType: 'form_abandon' }),
      ]);
      expect(stub.callsOf('recordStep').map(({ stepId, type, result }) => [stepId, type, result])).toEqual([
        ['wait-1h', 'wait', 'done'],
        ['recovery-email', 'send_email', 'done'],
        ['wait-2h', 'wait', 'done'],
        ['assign-agent', 'assign_agent', 'done'],
      ]);
      expect(stub.callsOf('recordRunEnded')).toEqual([
        expect.objectContaining({ runId, outcome: 'completed', converted: false }),
      ]);
      expect(stub.callsOf('getLeadFacts')).toEqual([]);

      const attributes = (await run.describe()).typedSearchAttributes;
      expect([LeadId, JourneyId, JourneyVersion, Step].map((key) => attributes.get(key))).toEqual([
        'ld_1',
        'form-abandonment-recovery',
        1,
        'done',
      ]);
      await stateWhen(lead, (state) => state.journeys['form-abandonment-recovery'].activeRuns.length === 0);
      await saveHistory('form-abandonment-completed.lead', lead);
      await saveHistory('form-abandonment-completed.run', run);
    });
  });

  it.each([
    ['without a goal, the run is not converted', undefined, false],
    ['with form_submit as its goal, it is', { event: 'form_submit', conditions: [] }, true],
  ])('ends the run on form_submit between the email and the agent: %s', async (_, goal, converted) => {
    const stub = stubActivities();
    const { goal: _example, ...withoutGoal } = formAbandonmentRecovery;
    const definition: JourneyDefinition = { ...withoutGoal, ...(goal && { goal }) };
    const [taskQueue, leadId] = [`far-exit-${String(converted)}`, `ld_2${converted ? 'g' : ''}`];

    await withWorker(taskQueue, stub, async () => {
      const lead = await deliver(taskQueue, leadId, abandon('m1'), [journeyEntry('far', definition)]);
      const run = await runAt(lead, 1, 'wait-1h');
      await server.env.sleep(60 * MINUTE);
      await eventually(async () => (await run.query(journeyRunStatusQuery)).currentStep === 'wait-2h');

      await deliver(taskQueue, leadId, leadEvent('m2', 'form_submit', { formId: 'quote' }));

      expect(await run.result()).toEqual({ outcome: 'exited', exitReason: 'form_submit', converted });
      expect(stub.callsOf('sendEmail')).toHaveLength(1);
      expect(stub.callsOf('assignAgent')).toEqual([]);
      expect(stub.callsOf('recordStep').map(({ stepId }) => stepId)).toEqual(['wait-1h', 'recovery-email']);
      expect(stub.callsOf('recordRunEnded')).toEqual([
        expect.objectContaining({ outcome: 'exited', exitReason: 'form_submit', converted }),
      ]);
      expect(await run.query(journeyRunStatusQuery)).toEqual(
        expect.objectContaining({ outcome: 'exited', converted, completedSteps: ['wait-1h', 'recovery-email'] }),
      );
      const state = await stateWhen(lead, (s) => s.journeys.far.activeRuns.length === 0);
      expect(state.seen).toEqual(['m1', 'm2']);
      if (converted) {
        await saveHistory('form-abandonment-exited.lead', lead);
        await saveHistory('form-abandonment-exited.run', run);
      }
    });
  });

  it('holds a 24 h cooldown: a form_abandon inside it starts no run, one after it does', async () => {
    const stub = stubActivities();
    const entry = journeyEntry('far', formAbandonmentRecovery);

    await withWorker('far-cooldown', stub, async () => {
      const lead = await deliver('far-cooldown', 'ld_3', abandon('m1'), [entry]);
      const first = await runAt(lead, 1, 'wait-1h');
      // While the first run is going, after_exit keeps the lead out.
      await deliver('far-cooldown', 'ld_3', abandon('m2'), [entry]);
      await stateWhen(lead, (s) => s.recentDecisions.length === 2);
      await server.env.sleep(3 * HOUR + MINUTE);
      expect(await first.result()).toEqual({ outcome: 'completed', converted: false });
      await stateWhen(lead, (s) => s.journeys.far.activeRuns.length === 0);

      await deliver('far-cooldown', 'ld_3', abandon('m3'), [entry]);
      const inside = await stateWhen(lead, (s) => s.recentDecisions.length === 3);
      expect(inside.recentDecisions.map(({ decision }) => decision)).toEqual(['started', 'already_active', 'cooldown']);
      expect(inside.runCounter).toBe(1);

      await server.env.sleep(24 * HOUR - (inside.recentDecisions[2].at - inside.recentDecisions[0].at));
      await deliver('far-cooldown', 'ld_3', abandon('m4'), [entry]);
      const second = await runAt(lead, 4, 'wait-1h');

      expect(second.workflowId).toBe('journey-far-ld_3-2');
      const after = await leadState(lead);
      expect(after.recentDecisions.map(({ messageId, decision }) => [messageId, decision])).toEqual([
        ['m1', 'started'],
        ['m2', 'already_active'],
        ['m3', 'cooldown'],
        ['m4', 'started'],
      ]);
      expect(after.journeys.far).toEqual(expect.objectContaining({ entries: 2, activeRuns: [second.workflowId] }));
    });
  });

  it('starts matched journeys by priority and forwards later events only to runs already going', async () => {
    const stub = stubActivities();
    const waitThenEmail = journey(
      [
        { id: 'wait', type: 'wait', minutes: 30 },
        { id: 'email', type: 'send_email', template: 'hello' },
      ],
      { exitOn: [{ event: 'form_abandon', conditions: [] }] },
    );
    const low = journeyEntry('a-low', { ...waitThenEmail, priority: 10 });
    const high = journeyEntry('z-high', { ...waitThenEmail, priority: 90 });

    await withWorker('priorities', stub, async () => {
      const lead = await deliver('priorities', 'ld_4', abandon('m1'), [low, high]);
      const state = await stateWhen(lead, (s) => s.recentDecisions.length === 2);
      expect(state.recentDecisions.map(({ journeyId, runId }) => [journeyId, runId])).toEqual([
        ['z-high', 'journey-z-high-ld_4-1'],
        ['a-low', 'journey-a-low-ld_4-2'],
      ]);
      const runs = state.recentDecisions.map(({ runId }) => server.client.workflow.getHandle(runId as string));

      // Each run's own trigger is not delivered to it (it would exit it); the next abandon is.
      await server.env.sleep(10 * MINUTE);
      expect(await Promise.all(runs.map((run) => run.query(journeyRunStatusQuery)))).toEqual([
        expect.objectContaining({ currentStep: 'wait' }),
        expect.objectContaining({ currentStep: 'wait' }),
      ]);
      await deliver('priorities', 'ld_4', abandon('m2'));
      expect(await Promise.all(runs.map((run) => run.result()))).toEqual([
        { outcome: 'exited', exitReason: 'form_abandon', converted: false },
        { outcome: 'exited', exitReason: 'form_abandon', converted: false },
      ]);
      expect(stub.callsOf('sendEmail')).toEqual([]);
    });
  });

  it('goes on handling events when a run it forwards them to is gone without a word', async () => {
    const stub = stubActivities();
    const waiting = journeyEntry('waiting', journey([{ id: 'wait', type: 'wait', minutes: 60 }]));
    const other = journeyEntry('other', journey([{ id: 'wait', type: 'wait', minutes: 60 }]));

    await withWorker('run-gone', stub, async () => {
      const lead = await deliver('run-gone', 'ld_6', abandon('m1'), [waiting]);
      const run = await runAt(lead, 1, 'wait');
      await run.terminate('ops stopped it'); // so it never reports its end

      await deliver('run-gone', 'ld_6', abandon('m2'), [other]);
      const state = await stateWhen(lead, (s) => s.recentDecisions.length === 2);

      expect(state.recentDecisions.map(({ journeyId, decision }) => [journeyId, decision])).toEqual([
        ['waiting', 'started'],
        ['other', 'started'],
      ]);
      // Left for the run's own end signal, as a run that just ended may still send it.
      expect(state.journeys.waiting.activeRuns).toEqual([run.workflowId]);
    });
  });

  it('continues-as-new after maxSignalsPerRun, keeping its dedupe memory, cooldowns and runs', async () => {
    const stub = stubActivities();
    const definition = journey([{ id: 'wait', type: 'wait', minutes: 90 }], {
      reentry: 'always',
      cooldownMinutes: 1440,
    });
    const entry = journeyEntry('daily', definition);

    await withWorker('continue-as-new', stub, async () => {
      const lead = await deliver('continue-as-new', 'ld_5', abandon('m1'), [entry], 2);
      const firstRunId = lead.signaledRunId;
      const run = await runAt(lead, 1, 'wait');
      await deliver('continue-as-new', 'ld_5', leadEvent('m2', 'page_view'), [], 2);
      const continued = await eventually(async () => {
        const { runId } = await lead.describe();
        return runId !== firstRunId && runId;
      });

      // Redelivered: ignored. New, but inside the cooldown carried over: no run.
      await deliver('continue-as-new', 'ld_5', abandon('m1'), [entry], 2);
      await deliver('continue-as-new', 'ld_5', abandon('m3'), [entry], 2);
      const state = await stateWhen(lead, (s) => s.recentDecisions.length === 2);

      expect(state.seen).toEqual(['m1', 'm2', 'm3']);
      expect(state.recentDecisions.map(({ messageId, decision }) => [messageId, decision])).toEqual([
        ['m1', 'started'],
        ['m3', 'cooldown'],
      ]);
      expect(state.runCounter).toBe(1);
      // The run started by the first execution reports its end to the latest one.
      await server.env.sleep(90 * MINUTE);
      expect(await run.result()).toEqual({ outcome: 'completed', converted: false });
      await stateWhen(lead, (s) => s.journeys.daily.activeRuns.length === 0);
      const { runId: latest, status } = await lead.describe();
      expect(latest).not.toBe(continued); // m1 (again) and m3 made two more signals
      expect(status.name).toBe('RUNNING');
      await saveHistory('lead-continued-as-new', server.env.client.workflow.getHandle(lead.workflowId, firstRunId));
    });
  });
});
