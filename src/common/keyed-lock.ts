/**
 * Runs tasks one at a time per key, and tasks on different keys in parallel. A task that
 * needs several keys takes them in sorted order, so two such tasks cannot deadlock.
 */
export class KeyedLock {
  private readonly tails = new Map<string, Promise<void>>();

  async run<T>(keys: Iterable<string>, task: () => Promise<T>): Promise<T> {
    const sorted = [...new Set(keys)].sort();
    const releases: Array<() => void> = [];
    try {
      for (const key of sorted) releases.push(await this.acquire(key));
      return await task();
    } finally {
      for (const release of releases) release();
    }
  }

  /** Number of keys with a task running or waiting; for tests. */
  get size(): number {
    return this.tails.size;
  }

  private async acquire(key: string): Promise<() => void> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const current = new Promise<void>((resolve) => (release = resolve));
    const tail = previous.then(() => current);
    this.tails.set(key, tail);
    await previous;
    return () => {
      release();
      // The last waiter on a key removes it, so the map only holds keys in use.
      if (this.tails.get(key) === tail) this.tails.delete(key);
    };
  }
}
