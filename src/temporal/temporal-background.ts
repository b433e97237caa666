import { Inject, Injectable } from '@nestjs/common';
import { Client } from '@temporalio/client';
import { TEMPORAL_CLIENT } from './temporal-client.provider';

/** How long an API request waits for such a call: with Temporal down its client retries for many seconds. */
const WAIT_MS = 2_000;

/** How long a call left to finish in the background may keep retrying. */
const BACKGROUND_DEADLINE_MS = 10_000;

/**
 * Temporal calls an API request starts but does not wait for past a moment (a Schedule or
 * workflow made to follow a change the database already holds). Each runs with a deadline,
 * and the connection is closed only once every one has ended: the Temporal client's retry
 * timers outlive a closed connection, and one firing after it throws out of its timer.
 */
@Injectable()
export class TemporalBackground {
  private readonly running = new Set<Promise<void>>();

  constructor(@Inject(TEMPORAL_CLIENT) private readonly client: Client) {}

  /** Runs `call` (which handles its own failure), waiting for it briefly; `late` says it goes on. */
  async run(call: () => Promise<void>, late: () => void): Promise<void> {
    const running: Promise<void> = this.client
      .withDeadline(Date.now() + BACKGROUND_DEADLINE_MS, call)
      .finally(() => this.running.delete(running));
    this.running.add(running);
    let timer: NodeJS.Timeout | undefined;
    const waited = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), WAIT_MS)));
    try {
      if ((await Promise.race([running, waited])) === 'late') late();
    } finally {
      clearTimeout(timer);
    }
  }

  /** Resolves once no call runs in the background (each ends by its deadline). */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.running]);
  }
}
