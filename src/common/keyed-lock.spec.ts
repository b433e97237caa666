import { KeyedLock } from './keyed-lock';

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('KeyedLock', () => {
  it('runs tasks on one key one at a time, in arrival order', async () => {
    const sut = new KeyedLock();
    const log: string[] = [];
    const task = (name: string) => async () => {
      log.push(`${name} start`);
      await tick();
      await tick();
      log.push(`${name} end`);
    };

    await Promise.all([sut.run(['a'], task('1')), sut.run(['a'], task('2')), sut.run(['a'], task('3'))]);

    expect(log).toEqual(['1 start', '1 end', '2 start', '2 end', '3 start', '3 end']);
    expect(sut.size).toBe(0);
  });

  it('runs tasks on different keys in parallel', async () => {
    const sut = new KeyedLock();
    const log: string[] = [];
    const task = (name: string) => async () => {
      log.push(`${name} start`);
      await tick();
      log.push(`${name} end`);
    };

    await Promise.all([sut.run(['a'], task('a')), sut.run(['b'], task('b'))]);

    expect(log).toEqual(['a start', 'b start', 'a end', 'b end']);
  });

  it('takes several keys without deadlocking against a task taking them in the other order', async () => {
    const sut = new KeyedLock();
    const running: number[] = [];
    let concurrent = 0;
    const task = async () => {
      running.push(++concurrent);
      await tick();
      concurrent--;
    };

    await Promise.all([sut.run(['a', 'b'], task), sut.run(['b', 'a'], task), sut.run(['a'], task)]);

    expect(Math.max(...running)).toBe(1);
  });

  it('releases the key when the task fails', async () => {
    const sut = new KeyedLock();
    await expect(sut.run(['a'], () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');

    await expect(sut.run(['a'], () => Promise.resolve('next'))).resolves.toBe('next');
    expect(sut.size).toBe(0);
  });
});
