import { waitBriefly } from './wait-briefly';

describe('waitBriefly', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('answers when the call does, and says nothing', async () => {
    const late = jest.fn();

    await waitBriefly(Promise.resolve(), late, 2_000);

    expect(late).not.toHaveBeenCalled();
    expect(jest.getTimerCount()).toBe(0);
  });

  it('stops waiting for a call that hangs after the bound, and says it is late', async () => {
    const late = jest.fn();
    let settled = false;

    const waiting = waitBriefly(new Promise<void>(() => undefined), late, 2_000).then(() => (settled = true));
    await jest.advanceTimersByTimeAsync(1_999);
    expect(settled).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    await waiting;

    expect(settled).toBe(true);
    expect(late).toHaveBeenCalledTimes(1);
  });
});
