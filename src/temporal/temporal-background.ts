import { Inject, Injectable } from '@nestjs/common';
import { Client } from '@temporalio/client';
import { TEMPORAL_CLIENT } from './temporal-client.provider';
import { waitBriefly } from './wait-briefly';

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
    await waitBriefly(running, late);
  }

  /** Resolves once no call runs in the background (each ends by its deadline). */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.running]);
  }
}
