import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

/** The two ways the bench puts load on a system under test. */

export interface ClosedLoopResult {
  wallMs: number;
  /** Time each job took, in ms. */
  latenciesMs: number[];
}

/**
 * Closed loop, for throughput: `concurrency` workers, each starting its next job as soon
 * as its last one finished, until the jobs run out. The first failure stops every worker.
 */
export async function runClosedLoop<T>(
  jobs: readonly T[],
  concurrency: number,
  work: (job: T) => Promise<void>,
): Promise<ClosedLoopResult> {
  const latenciesMs: number[] = [];
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < jobs.length) {
      const job = jobs[next++];
      const started = performance.now();
      try {
        await work(job);
      } catch (error) {
        failed = true;
        throw error;
      }
      latenciesMs.push(performance.now() - started);
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: Math.min(concurrency, jobs.length) }, worker));
  return { wallMs: performance.now() - started, latenciesMs };
}

export interface OpenLoopResult {
  /** Latency of each successful request, from its scheduled send time, in ms. */
  latenciesMs: number[];
  errors: string[];
}

/**
 * Open loop, for latency: requests leave on a fixed schedule whether or not earlier ones
 * have answered, and each is timed from when it was due, not from when it left. A slow
 * system therefore cannot slow the sender and hide its own queueing (coordinated
 * omission): a stall shows up in the latencies of every request scheduled during it.
 */
export async function runOpenLoop<T>(
  jobs: readonly T[],
  ratePerSecond: number,
  work: (job: T) => Promise<void>,
): Promise<OpenLoopResult> {
  const intervalMs = 1000 / ratePerSecond;
  const latenciesMs: number[] = [];
  const errors: string[] = [];
  const inFlight: Promise<void>[] = [];
  const start = performance.now();
  for (let i = 0; i < jobs.length; i++) {
    const due = start + i * intervalMs;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    inFlight.push(
      work(jobs[i]).then(
        () => void latenciesMs.push(performance.now() - due),
        (error: unknown) => void errors.push(error instanceof Error ? error.message : String(error)),
      ),
    );
  }
  await Promise.all(inFlight);
  return { latenciesMs, errors };
}
