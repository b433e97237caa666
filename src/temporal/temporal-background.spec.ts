import { Client } from '@temporalio/client';
import { TemporalBackground } from './temporal-background';

describe('TemporalBackground', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  function background() {
    const deadlines: number[] = [];
    const client = {
      withDeadline: (deadline: number, fn: () => Promise<void>) => {
        deadlines.push(deadline);
        return fn();
      },
    } as unknown as Client;
    return { sut: new TemporalBackground(client), deadlines };
  }

  it('runs each call under a deadline and answers when it ends', async () => {
    const { sut, deadlines } = background();
    const late = jest.fn();

    await sut.run(() => Promise.resolve(), late);

    expect(late).not.toHaveBeenCalled();
    expect(deadlines).toEqual([Date.now() + 10_000]);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('stops waiting for a slow call, and is settled only once the call has ended', async () => {
    const { sut } = background();
    const late = jest.fn();
    let end!: () => void;
    let settled = false;

    let answeredYet = false;
    const answered = sut
      .run(() => new Promise<void>((resolve) => (end = resolve)), late)
      .then(() => (answeredYet = true));
    await jest.advanceTimersByTimeAsync(1_999);
    expect(answeredYet).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    await answered;
    const settling = sut.settled().then(() => (settled = true));
    await jest.advanceTimersByTimeAsync(5_000);

    expect(late).toHaveBeenCalledTimes(1);
    expect(settled).toBe(false);
    end();
    await settling;
    expect(settled).toBe(true);
  });
});
