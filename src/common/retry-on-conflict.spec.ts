import { CONFLICT, retryOnConflict } from './retry-on-conflict';

describe('retryOnConflict', () => {
  it('returns the first answer that is not a conflict, attempting again after each conflict', async () => {
    const answers = [CONFLICT, CONFLICT, 'written'] as const;
    let calls = 0;

    const sut = await retryOnConflict('the thing', () => Promise.resolve(answers[calls++]), { maxDelayMs: 0 });

    expect(sut).toBe('written');
    expect(calls).toBe(3);
  });

  it('passes through falsy answers: only CONFLICT means try again', async () => {
    expect(await retryOnConflict('the thing', () => Promise.resolve(undefined))).toBeUndefined();
    expect(await retryOnConflict('the thing', () => Promise.resolve(false))).toBe(false);
  });

  it('gives up with an error naming what kept changing after the last attempt', async () => {
    let calls = 0;
    const conflict = () => {
      calls++;
      return Promise.resolve(CONFLICT);
    };

    const sut = retryOnConflict('window w1', conflict, { attempts: 4, maxDelayMs: 0 });

    await expect(sut).rejects.toThrow('window w1 kept changing under 4 attempts; try again');
    expect(calls).toBe(4);
  });

  it("gives up with the caller's own error when it names one", async () => {
    const busy = new Error('leads busy');

    const sut = retryOnConflict('lead l1', () => Promise.resolve(CONFLICT), {
      attempts: 2,
      maxDelayMs: 0,
      giveUp: () => busy,
    });

    await expect(sut).rejects.toBe(busy);
  });
});
