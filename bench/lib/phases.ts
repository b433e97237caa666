import { mongo } from 'mongoose';
import { IngestionClient } from './clients';
import { ClosedLoopResult, runClosedLoop, runOpenLoop } from './load';
import { eventsIn, HttpRequest, Plan } from './plan';
import { CpuUse, LatencyFigures, Throughput } from './report';
import { cpuMsOf } from './stack';
import { median, summarizeLatencies } from './stats';
import { StoredEvent } from './workload';

/** The two systems under test, and how hard to push them. */
export interface Targets {
  api: IngestionClient;
  raw: mongo.Collection<StoredEvent>;
  concurrency: number;
  rate: number;
  /** Processes whose CPU time is counted: the API's and the database's. */
  pids: { api: number; database: number };
}

const postAll = (t: Targets, requests: readonly HttpRequest[]) =>
  runClosedLoop(requests, t.concurrency, (request) => t.api.postBatch(request.body, request.events));

const insertAll = (t: Targets, batches: readonly StoredEvent[][]) =>
  runClosedLoop(batches, t.concurrency, async (docs) => void (await t.raw.insertMany(docs, { ordered: false })));

/** Opens connections, creates every visitor's lead and fills the API's caches. */
export async function warmUp(plan: Plan, t: Targets): Promise<void> {
  await postAll(
    t,
    plan.warmup.map((batch) => ({ body: batch.body, events: batch.messages.length })),
  );
  await insertAll(t, plan.rawWarmup);
}

/**
 * Throughput rounds, each the driver's phase then the API's, so that whatever drifts over
 * the run (collection and index size, SQLite's files, the machine) weighs on both.
 */
export async function measureThroughput(plan: Plan, t: Targets, log: (line: string) => void) {
  const http: Phase[] = [];
  const raw: Phase[] = [];
  for (const [i, round] of plan.rounds.entries()) {
    log(`throughput round ${i + 1} of ${plan.rounds.length}: driver insertMany, then HTTP batches…`);
    raw.push(await timePhase(t, eventsIn(round.raw), () => insertAll(t, round.raw)));
    http.push(await timePhase(t, eventsIn(round.http), () => postAll(t, round.http)));
  }
  return { http: summarizeRounds(http), raw: summarizeRounds(raw) };
}

interface Phase {
  events: number;
  wallMs: number;
  latenciesMs: number[];
  cpu: CpuUse;
}

/** Runs a phase, noting the CPU time each process spent on it. */
async function timePhase(t: Targets, events: number, run: () => Promise<ClosedLoopResult>): Promise<Phase> {
  const before = await cpuNow(t);
  const { wallMs, latenciesMs } = await run();
  const after = await cpuNow(t);
  const cpu = {
    api: after.api - before.api,
    database: after.database - before.database,
    bench: after.bench - before.bench,
  };
  return { events, wallMs, latenciesMs, cpu };
}

async function cpuNow(t: Targets): Promise<CpuUse> {
  const { user, system } = process.cpuUsage();
  return { api: await cpuMsOf(t.pids.api), database: await cpuMsOf(t.pids.database), bench: (user + system) / 1000 };
}

function summarizeRounds(rounds: Phase[]): Throughput {
  const perRound = rounds.map((round) => round.events / (round.wallMs / 1000));
  const events = rounds.reduce((sum, round) => sum + round.events, 0);
  const perThousandEvents = (who: keyof CpuUse) =>
    (rounds.reduce((sum, round) => sum + round.cpu[who], 0) / events) * 1000;
  return {
    rounds: perRound,
    median: median(perRound),
    batchMs: summarizeLatencies(rounds.flatMap((round) => round.latenciesMs)),
    cpuMsPerThousandEvents: {
      api: perThousandEvents('api'),
      database: perThousandEvents('database'),
      bench: perThousandEvents('bench'),
    },
  };
}

/** Single events at a fixed rate: the driver's, then the API's. */
export async function measureLatency(plan: Plan, t: Targets): Promise<{ http: LatencyFigures; raw: LatencyFigures }> {
  const raw = await runOpenLoop(plan.latency.raw, t.rate, async (doc) => void (await t.raw.insertOne(doc)));
  const http = await runOpenLoop(plan.latency.http, t.rate, (body) => t.api.postTrack(body));
  const figures = ({ latenciesMs, errors }: typeof raw): LatencyFigures => ({
    ...summarizeLatencies(latenciesMs),
    errors: errors.length,
    errorMessages: [...new Set(errors)].slice(0, 3),
  });
  return { http: figures(http), raw: figures(raw) };
}
