import { Client, Connection, WorkflowNotFoundError } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import { formAbandonmentRecoveryTrigger } from '../../src/journeys/examples/form-abandonment-recovery.trigger';
import { LeadEventSignal, leadWorkflowId } from '../../workflows/contracts/lead.contract';
import { testStack } from '../support/stack';
import { databaseOf, useApi } from '../support/tracking';

/**
 * Ingestion → matcher → outbox → relay → Temporal, with no worker: the lead workflow's
 * history shows exactly which signals Temporal received.
 */
describe('journey dispatch: only events a journey cares about reach the lead workflow', () => {
  const nudge = useApi();
  let temporal: Client;

  beforeAll(async () => {
    temporal = new Client({ connection: await Connection.connect({ address: testStack().temporalAddress }) });
  });
  afterAll(() => temporal?.connection.close());

  const userId = () => `dispatch-${randomUUID()}`;
  const track = (user: string, event: string, properties: Record<string, unknown>) =>
    nudge.client.post('/v1/track', { userId: user, event, properties, messageId: randomUUID() });
  const leadOf = async (user: string) => (await nudge.client.get<{ id: string }>(`/v1/leads/${user}`)).body.id;

  /** The signals the lead's workflow received once the outbox drained; undefined if it was never started. */
  async function signalsOf(leadId: string): Promise<LeadEventSignal[] | undefined> {
    await waitForEmptyOutbox();
    try {
      const history = await temporal.workflow.getHandle(leadWorkflowId(leadId)).fetchHistory();
      const converter = temporal.options.loadedDataConverter.payloadConverter;
      return (history.events ?? []).flatMap((e) =>
        (e.workflowExecutionSignaledEventAttributes?.input?.payloads ?? []).map((p) =>
          converter.fromPayload<LeadEventSignal>(p),
        ),
      );
    } catch (error) {
      // fetchHistory reports an unknown workflow as gRPC NOT_FOUND rather than WorkflowNotFoundError.
      if (error instanceof WorkflowNotFoundError || (error as { code?: number }).code === 5) return undefined;
      throw error;
    }
  }

  async function waitForEmptyOutbox(): Promise<void> {
    const outbox = databaseOf(nudge.api.app).collection('journey_outbox');
    for (let i = 0; i < 100 && (await outbox.countDocuments()) > 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(await outbox.countDocuments()).toBe(0);
  }

  it('serves the spec trigger API: the Form Abandonment Recovery becomes a published journey', async () => {
    const created = await nudge.client.admin('POST', '/api/behavior/triggers', formAbandonmentRecoveryTrigger);

    expect(created).toMatchObject({ status: 201, body: { name: 'Form Abandonment Recovery', status: 'active' } });
    const journey = await nudge.client.get(`/v1/journeys/${created.body.id as string}`);
    expect(journey.body).toMatchObject({ status: 'active', publishedVersion: 1 });
  });

  it('refuses a bad trigger with a 400 naming the request field', async () => {
    const bad = { ...formAbandonmentRecoveryTrigger, actions: [{ action: 'send_email', parameters: {} }] };

    expect(await nudge.client.admin('POST', '/api/behavior/triggers', bad)).toMatchObject({
      status: 400,
      body: { message: expect.stringMatching(/^actions\[0\]\.parameters\.template: /) },
    });
  });

  it('refuses a trigger or journey naming a template that does not exist, before anything is created', async () => {
    const trigger = {
      ...formAbandonmentRecoveryTrigger,
      name: 'Typo',
      actions: [{ action: 'send_email', parameters: { template: 'no-such-template' }, delay: 5 }],
    };
    expect(await nudge.client.admin('POST', '/api/behavior/triggers', trigger)).toMatchObject({
      status: 400,
      body: { message: expect.stringMatching(/^actions\[0\]\.parameters\.template: no email template/) },
    });
    const { body } = await nudge.client.get<{ journeys: { draft: { name: string } }[] }>('/v1/journeys');
    expect(body.journeys.map((j) => j.draft.name)).not.toContain('Typo');

    const steps = [{ id: 'text', type: 'send_sms', template: 'nope' }];
    const draft = await nudge.client.admin('POST', '/v1/journeys', {
      definition: { name: 'Typo too', trigger: { event: 'form_start' }, steps },
    });
    expect(await nudge.client.admin('POST', `/v1/journeys/${draft.body.id as string}/publish`)).toMatchObject({
      status: 400,
      body: { message: expect.stringMatching(/^steps\[0\]\.template: no sms template "nope"/) },
    });
  });

  it('seeds the example journey, published, in the development workspace', async () => {
    expect((await nudge.client.get('/v1/journeys/form-abandonment-recovery')).body).toMatchObject({
      status: 'active',
      publishedVersion: 1,
    });
  });

  it('starts the lead workflow for a matching form_abandon, carrying the journey versions it may enter', async () => {
    const user = userId();
    expect((await track(user, 'form_abandon', { formId: 'quote', formCompletion: 40 })).status).toBe(200);

    const signals = await signalsOf(await leadOf(user));

    expect(signals).toHaveLength(1);
    expect(signals![0].event).toMatchObject({ type: 'form_abandon', properties: { formCompletion: 40 } });
    const entry = signals![0].entries.find((e) => e.journeyId === 'form-abandonment-recovery');
    // A reference and its entry rules: the run loads the definition of the version itself.
    expect(entry).toEqual({
      journeyId: 'form-abandonment-recovery',
      version: expect.any(Number),
      rules: { priority: expect.any(Number), reentry: expect.any(String), cooldownMinutes: expect.any(Number) },
      waitScale: expect.any(Number),
    });
  });

  it('signals nothing for a form completed to 100 %, nor for events no journey mentions', async () => {
    const user = userId();
    await track(user, 'form_abandon', { formId: 'quote', formCompletion: 100 });
    await track(user, 'page_view', { url: 'https://example.com/' });

    expect(await signalsOf(await leadOf(user))).toBeUndefined();
  });

  it('forwards an exit event only to a lead already in a journey, after its entry, in order', async () => {
    const outsider = userId();
    await track(outsider, 'form_submit', { formId: 'quote' });
    expect(await signalsOf(await leadOf(outsider))).toBeUndefined();

    const insider = userId();
    await track(insider, 'form_abandon', { formId: 'quote', formCompletion: 10 });
    await track(insider, 'form_submit', { formId: 'quote' });
    const signals = await signalsOf(await leadOf(insider));
    expect(signals?.map((s) => [s.event.type, s.entries.length > 0])).toEqual([
      ['form_abandon', true],
      ['form_submit', false],
    ]);
  });
});
