import { HttpStatus } from '@nestjs/common';
import { ApplicationFailure, Client, TimeoutFailure, WorkflowFailedError } from '@temporalio/client';
import { RetryState, TimeoutType } from '@temporalio/common';
import { AppError } from '../common/app-error';
import { AppConfig } from '../config/config.module';
import { SelfCheckRepository } from './self-check.repository';
import { SelfCheckService } from './self-check.service';

/** A Temporal client whose start() and result() do what each test says. */
function temporalClient(start: () => Promise<unknown>, result: () => Promise<unknown>): Client {
  return {
    connection: { withDeadline: (_deadline: number, fn: () => Promise<unknown>) => fn() },
    workflow: { start: () => start().then(() => ({ workflowId: 'self-check-1', result })) },
  } as unknown as Client;
}

const config = { get: () => 'nudge' } as unknown as AppConfig;
const build = (client: Client) => new SelfCheckService(client, config, {} as SelfCheckRepository);

async function errorOf(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof AppError)) throw new Error(`expected an AppError, got ${String(error)}`);
  return error;
}

describe('SelfCheckService.run', () => {
  it('returns the workflow result', async () => {
    const sut = build(
      temporalClient(
        () => Promise.resolve(),
        () => Promise.resolve({ workflowId: 'self-check-1' }),
      ),
    );

    await expect(sut.run()).resolves.toEqual({ workflowId: 'self-check-1' });
  });

  it('answers 503 TEMPORAL_UNAVAILABLE when the workflow cannot be started', async () => {
    const sut = build(
      temporalClient(
        () => Promise.reject(new Error('14 UNAVAILABLE: connection refused')),
        () => Promise.resolve(),
      ),
    );

    const error = await errorOf(sut.run());

    expect(error).toMatchObject({ code: 'TEMPORAL_UNAVAILABLE', status: HttpStatus.SERVICE_UNAVAILABLE });
    expect(error.message).toBe('Temporal is unreachable: 14 UNAVAILABLE: connection refused');
  });

  it('answers 504 naming the task queue when no worker completes it in time', async () => {
    const timeout = new TimeoutFailure('workflow execution timed out', undefined, TimeoutType.START_TO_CLOSE);
    const failed = new WorkflowFailedError('Workflow execution timed out', timeout, RetryState.TIMEOUT);
    const sut = build(
      temporalClient(
        () => Promise.resolve(),
        () => Promise.reject(failed),
      ),
    );

    const error = await errorOf(sut.run());

    expect(error).toMatchObject({ code: 'SELF_CHECK_TIMED_OUT', status: HttpStatus.GATEWAY_TIMEOUT });
    expect(error.message).toMatch(/is a worker polling task queue "nudge"\?/);
  });

  it('answers 503 with the cause when the activity failed', async () => {
    const cause = ApplicationFailure.create({ message: 'MongoServerSelectionError: connect ECONNREFUSED' });
    const failed = new WorkflowFailedError('Workflow execution failed', cause, RetryState.MAXIMUM_ATTEMPTS_REACHED);
    const sut = build(
      temporalClient(
        () => Promise.resolve(),
        () => Promise.reject(failed),
      ),
    );

    const error = await errorOf(sut.run());

    expect(error).toMatchObject({ code: 'SELF_CHECK_FAILED', status: HttpStatus.SERVICE_UNAVAILABLE });
    expect(error.message).toBe('Self-check self-check-1 failed: MongoServerSelectionError: connect ECONNREFUSED');
  });
});
