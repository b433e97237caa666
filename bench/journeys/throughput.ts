import { Client } from '@temporalio/client';
import { mongo } from 'mongoose';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { waitFor } from '../../tools/stack/processes';
import { IngestionClient } from '../lib/clients';
import { runClosedLoop } from '../lib/load';
import { Check } from '../lib/report';
import { median } from '../lib/stats';
import { BASELINE_SIGNAL_QUEUE, formAbandonSignal, rawSignalWithStart } from './baseline';
import { cpuPer, CpuMs, Pids, withCpu } from './cpu';
import { batchBody, benchLead, chunks, formAbandonMessage, TASK_QUEUE } from './leads';
import { Settings, SignalThroughput } from './report';

/** Leads the relay delivers to at once (CONCURRENCY in src/journeys/dispatch/journey-signal.relay.ts). */
export const RELAY_CONCURRENCY = 32;
const OUTBOX_POLL_MS = 20;
const DRAIN_TIMEOUT_MS = 5 * 60_000;

export interface ThroughputContext {
  api: IngestionClient;
  client: Client;
  outbox: mongo.Collection;
  pids: Pids;
  log: (line: string) => void;
}

interface NudgeRound {
  signalsPerSecond: number;
  /** From the first request to every request answered: the API's part. */
  httpMs: number;
  /** From the first request to an empty outbox: every signal in Temporal. */
  drainMs: number;
}

/**
 * Phase 2, journey signals per second: `signals` matching form_abandon events of distinct
 * leads through HTTP until the outbox is empty, against the raw loop of signalWithStart
 * with the relay's concurrency. Rounds alternate (raw, Nudge, raw, Nudge…) so drift in
 * Temporal's growing state weighs on both.
 */
export async function measureSignalThroughput(
  t: ThroughputContext,
  s: Settings,
): Promise<{ nudge: SignalThroughput; raw: SignalThroughput; checks: Check[] }> {
  const nudgeRounds: Array<{ round: NudgeRound; cpuMs: CpuMs }> = [];
  const rawRounds: Array<{ wallMs: number; cpuMs: CpuMs }> = [];
  for (let round = 1; round <= s.signalRounds; round++) {
    t.log(`signals round ${round} of ${s.signalRounds}: raw signalWithStart, then Nudge over HTTP…`);
    const signals = Array.from({ length: s.signals }, (_, i) => ({
      leadId: benchLead(`raw-${round}-${i}`).leadId,
      signal: formAbandonSignal(randomUUID(), 0),
    }));
    const raw = await withCpu(t.pids, () =>
      runClosedLoop(signals, RELAY_CONCURRENCY, ({ leadId, signal }) => rawSignalWithStart(t.client, leadId, signal)),
    );
    rawRounds.push({ wallMs: raw.result.wallMs, cpuMs: raw.cpuMs });

    const bodies = chunks(
      Array.from({ length: s.signals }, (_, i) => formAbandonMessage(`signal-${round}-${i}`)),
      s.signalBatch,
    ).map((messages) => ({ body: batchBody(messages), events: messages.length }));
    const nudge = await withCpu(t.pids, () => postUntilDrained(t, s, bodies));
    nudgeRounds.push({ round: nudge.result, cpuMs: nudge.cpuMs });
  }

  const signalsPerSecond = (wallMs: number) => s.signals / (wallMs / 1000);
  const rawRates = rawRounds.map(({ wallMs }) => signalsPerSecond(wallMs));
  const nudgeRates = nudgeRounds.map(({ round }) => round.signalsPerSecond);
  const perThousand = (rounds: Array<{ cpuMs: CpuMs }>) =>
    cpuPer(
      rounds.map(({ cpuMs }) => ({ cpuMs, items: s.signals })),
      1000,
    );
  return {
    nudge: {
      rounds: nudgeRates,
      median: median(nudgeRates),
      httpEventsPerSecond: nudgeRounds.map(({ round }) => s.signals / (round.httpMs / 1000)),
      drainTailMs: nudgeRounds.map(({ round }) => round.drainMs - round.httpMs),
      cpuMsPerThousandSignals: perThousand(nudgeRounds),
    },
    raw: { rounds: rawRates, median: median(rawRates), cpuMsPerThousandSignals: perThousand(rawRounds) },
    checks: await deliveredChecks(t, s),
  };
}

/**
 * Posts every batch with `signalClients` concurrent clients while watching the outbox; done
 * when every request was answered (so every signal is in the outbox or already delivered)
 * and the outbox is empty.
 */
async function postUntilDrained(
  t: ThroughputContext,
  s: Settings,
  bodies: ReadonlyArray<{ body: string; events: number }>,
): Promise<NudgeRound> {
  const start = performance.now();
  const state: { httpMs?: number; failure?: Error } = {};
  const posting = runClosedLoop(bodies, s.signalClients, ({ body, events }) => t.api.postBatch(body, events)).then(
    () => void (state.httpMs = performance.now() - start),
    (error: unknown) => void (state.failure = error instanceof Error ? error : new Error(String(error))),
  );
  for (;;) {
    if (state.failure) throw state.failure;
    // Not countDocuments: FerretDB reads every document to count them (~0.3 ms each), so
    // counting a backlog of hundreds every few ms would load the database under test.
    const empty = (await t.outbox.findOne({}, { projection: { _id: 1 } })) === null;
    if (state.httpMs !== undefined && empty) break;
    if (performance.now() - start > DRAIN_TIMEOUT_MS)
      throw new Error(`the outbox still held signals after ${DRAIN_TIMEOUT_MS / 1000} s`);
    await sleep(OUTBOX_POLL_MS);
  }
  await posting;
  const drainMs = performance.now() - start;
  return { signalsPerSecond: s.signals / (drainMs / 1000), httpMs: state.httpMs, drainMs };
}

/** Temporal holds one lead workflow per lead signalled, on each path: nothing was lost. */
async function deliveredChecks(t: ThroughputContext, s: Settings): Promise<Check[]> {
  const expected = s.signals * s.signalRounds;
  const count = async (query: string) => (await t.client.workflow.count(query)).count;
  const nudgeQuery = `TaskQueue="${TASK_QUEUE}" AND WorkflowType="leadWorkflow"`;
  const rawQuery = `TaskQueue="${BASELINE_SIGNAL_QUEUE}"`;
  // The email phase's leads have lead workflows on the same queue.
  const phaseOne = s.leads + s.warmupLeads;
  const settled = async () => (await count(nudgeQuery)) === expected + phaseOne && (await count(rawQuery)) === expected;
  // Visibility lags the workflows a little.
  await waitFor('Temporal visibility to list every lead workflow', settled, { timeoutMs: 30_000 }).catch(
    () => undefined,
  );
  const [nudge, raw] = [await count(nudgeQuery), await count(rawQuery)];
  return [
    {
      name: 'Nudge: every signal reached Temporal (a lead workflow per lead)',
      ok: nudge === expected + phaseOne,
      detail: `${nudge} lead workflows, ${expected} signalled here + ${phaseOne} from the email phase expected`,
    },
    {
      name: 'raw: every signalWithStart started its workflow',
      ok: raw === expected,
      detail: `${raw} workflows, ${expected} expected`,
    },
  ];
}
