import { AppError } from '../../../common/app-error';
import { formAbandonmentRecovery } from '../../examples/form-abandonment-recovery';
import { formAbandonmentRecoveryTrigger } from '../../examples/form-abandonment-recovery.trigger';
import { readTriggerRequest } from './trigger.request';

const withoutIds = (steps: readonly object[]) => steps.map(({ id: _id, ...rest }: { id?: string }) => rest);

describe('readTriggerRequest', () => {
  it("reads the spec's Form Abandonment Recovery as the shipped example journey", () => {
    const { definition } = readTriggerRequest(formAbandonmentRecoveryTrigger);

    const { steps, ...rest } = definition;
    const { steps: exampleSteps, ...example } = formAbandonmentRecovery;
    expect(withoutIds(steps)).toEqual(withoutIds(exampleSteps));
    expect(rest).toMatchObject({ ...example, goal: { event: 'form_submit', conditions: [] } });
    expect(rest.targetSegments).toEqual(['qualified-leads']);
  });

  it('waits each action its delay after the previous one, and skips a zero delay', () => {
    const { definition } = readTriggerRequest({
      ...formAbandonmentRecoveryTrigger,
      actions: [
        { action: 'send_sms', parameters: { template: 'form-abandon-reminder' } },
        { action: 'create_task', parameters: { title: 'Call back' }, delay: 30 },
      ],
    });

    expect(definition.steps).toEqual([
      { id: 'action-1', type: 'send_sms', template: 'form-abandon-reminder' },
      { id: 'wait-before-action-2', type: 'wait', minutes: 30 },
      { id: 'action-2', type: 'create_task', title: 'Call back' },
    ]);
  });

  it('reads lead conditions as trait conditions and honours an explicit exitOn', () => {
    const { definition } = readTriggerRequest({
      ...formAbandonmentRecoveryTrigger,
      conditions: [{ type: 'lead', field: 'region', operator: 'equals', value: 'north' }],
      exitOn: ['quote_request'],
    });

    expect(definition.trigger.conditions).toEqual([
      { source: 'trait', field: 'region', operator: 'equals', value: 'north' },
    ]);
    expect(definition.exitOn).toEqual([{ event: 'quote_request', conditions: [] }]);
  });

  it.each([
    [{ actions: [] }, /^actions: /],
    [{ event: '' }, /^event: /],
    [{ conditions: [{ type: 'behavior', field: 'x', operator: 'about' }] }, /^conditions\[0\]\.operator: /],
    [{ actions: [{ action: 'send_email', parameters: {}, delay: 5 }] }, /^actions\[0\]\.parameters\.template: /],
    [{ actions: [{ action: 'webhook', parameters: { url: 'ftp://x' } }] }, /^actions\[0\]\.parameters\.url: /],
    [{ cooldown: -1 }, /^cooldown: /],
  ])('refuses %j with a message naming the request field', (change, message) => {
    const read = () => readTriggerRequest({ ...formAbandonmentRecoveryTrigger, ...change });

    expect(read).toThrow(AppError);
    expect(read).toThrow(message);
  });
});
