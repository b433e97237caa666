import { ApplicationFailure } from '@temporalio/common';
import type { SendResult, StepContext } from '../workflows/contracts/journey-activities';
import { createMessagingActivities, MessageSender } from './messaging.activities';

const step: StepContext = {
  key: 'run-1:email',
  workspaceId: 'acme',
  leadId: 'lead_1',
  journeyId: 'recovery',
  version: 2,
  runId: 'run-1',
  stepId: 'email',
};
const sent: SendResult = { status: 'sent', deliveryId: 'acme:run-1:email', providerId: '<id@acme.test>' };

const sender = (overrides: Partial<MessageSender> = {}): jest.Mocked<MessageSender> =>
  ({
    sendEmail: jest.fn().mockResolvedValue(sent),
    sendSms: jest.fn().mockResolvedValue(sent),
    ...overrides,
  }) as jest.Mocked<MessageSender>;

describe('messaging activities', () => {
  it('hands the step, with the trigger a run passes, to the sender and returns its result', async () => {
    const messaging = sender();
    const input = {
      ...step,
      template: 'form-abandon-recovery',
      subject: 'Hi',
      trigger: { type: 'form_abandon', properties: { formId: 'quote' } },
    };

    const result = await createMessagingActivities({ messaging }).sendEmail(input);

    expect(result).toEqual(sent);
    expect(messaging.sendEmail).toHaveBeenCalledWith(input);
  });

  it('turns a permanent error into a non-retryable failure of its code', async () => {
    const permanent = Object.assign(new Error('sms template "x": missing'), {
      code: 'TEMPLATE_NOT_FOUND',
      permanent: true,
    });
    const sut = createMessagingActivities({ messaging: sender({ sendSms: jest.fn().mockRejectedValue(permanent) }) });

    const error = await sut.sendSms({ ...step, template: 'x' }).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(ApplicationFailure);
    expect(error).toMatchObject({
      nonRetryable: true,
      type: 'TEMPLATE_NOT_FOUND',
      message: 'sms template "x": missing',
    });
  });

  it('lets any other error through for the retry policy', async () => {
    const outage = new Error('connect ECONNREFUSED 127.0.0.1:25');
    const sut = createMessagingActivities({ messaging: sender({ sendEmail: jest.fn().mockRejectedValue(outage) }) });

    await expect(sut.sendEmail({ ...step, template: 'x' })).rejects.toBe(outage);
  });
});
