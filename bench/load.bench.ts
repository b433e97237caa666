/**
 * `npm run bench:load`: concurrent writers on the embedded default, two API processes.
 *
 * Builds the API, starts FerretDB (the project's patched build, fresh data) and two API
 * processes on free ports, and sends the load of issue 9: `BENCH_CLIENTS` concurrent
 * clients, each `POST /v1/batch` carrying one event for each of `BENCH_LEADS_PER_BATCH`
 * distinct leads, `BENCH_LEADS` leads in all; a first-contact round (every lead new), then
 * `BENCH_ROUNDS` rounds over the same, existing, leads, batches alternating between the two
 * APIs. Beside each round, in the same run and database, the raw baseline does the least a
 * client must for the same result: the driver's `insertMany` of the events and a `bulkWrite`
 * of `$inc` upserts of the leads' counters.
 *
 * Then it checks, and fails the run unless: no error and no timeout; every event sent is
 * stored; every lead has exactly its events counted, its value summed and one session; and
 * both APIs store a new event and read its lead back within 1 s right after the run.
 * Prints a table and writes bench/results/load.json. Nothing here asserts a timing in a test.
 *
 * Settings (positive integers): BENCH_CLIENTS (8), BENCH_LEADS (1000),
 * BENCH_LEADS_PER_BATCH (20), BENCH_ROUNDS (20), BENCH_TIMEOUT_MS (10000). A round of 1,000 events
 * lasts about half a second: at 5 rounds the existing-lead phase measured the APIs' JIT
 * warm-up as much as their steady state (API CPU per 1,000 events 460–490 ms against 342–393
 * at 20 rounds, on the same day), so 20 is the default.
 */
import { randomUUID } from 'node:crypto';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { mongo } from 'mongoose';
import { ProcessGroup, waitFor } from '../tools/stack/processes';
import { httpSender, LoadSettings, PhaseResult, planLoad, rawSender, runPhase } from './load/workload';
import { IngestionClient, secondaryIndexKeys } from './lib/clients';
import { cpuMsOf, memoryOf, startBenchStack } from './lib/stack';
import { summarizeLatencies } from './lib/stats';
import { positiveSetting } from './lib/settings';
import { machineInfo } from './lib/machine';
import { runBench, startBench } from './lib/bench-main';

const RESULTS_FILE = join(__dirname, 'results', 'load.json');
const WORKSPACE_ID = 'dev';
/** The dev workspace's secret key, as the API seeds it (the config schema's default). */
const SECRET_KEY = 'sk_dev_0123456789abcdef';
const ANSWER_WITHIN_MS = 1_000;
const log = (line: string) => console.log(`[bench:load] ${line}`);

function readSettings(): LoadSettings {
  return {
    clients: positiveSetting('BENCH_CLIENTS', 8),
    leads: positiveSetting('BENCH_LEADS', 1_000),
    leadsPerBatch: positiveSetting('BENCH_LEADS_PER_BATCH', 20),
    rounds: positiveSetting('BENCH_ROUNDS', 20),
    timeoutMs: positiveSetting('BENCH_TIMEOUT_MS', 10_000),
  };
}

interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

type MeasuredPhase = PhaseResult & { databaseCpuMs: number; apiCpuMs: number };

/** Phase results added up: events/s over the phases' summed wall time. */
function combine(phases: MeasuredPhase[]) {
  const events = phases.reduce((sum, phase) => sum + phase.events, 0);
  const wallMs = phases.reduce((sum, phase) => sum + phase.wallMs, 0);
  const latency = summarizeLatencies(phases.flatMap((phase) => phase.latenciesMs));
  const errors = phases.flatMap((phase) => phase.errors);
  return {
    events,
    eventsPerSecond: events / (wallMs / 1000),
    p50Ms: latency.p50,
    p99Ms: latency.p99,
    maxMs: latency.max,
    errors: errors.length,
    errorSamples: [...new Set(errors)].slice(0, 3),
    timeouts: phases.reduce((sum, phase) => sum + phase.timeouts, 0),
    /** FerretDB's CPU time per 1,000 events: steadier than events/s on a shared machine. */
    databaseCpuMsPer1kEvents: (phases.reduce((sum, phase) => sum + phase.databaseCpuMs, 0) / events) * 1000,
    /** Both API processes' CPU time per 1,000 events (none for the raw baseline): what the API adds. */
    apiCpuMsPer1kEvents: (phases.reduce((sum, phase) => sum + phase.apiCpuMs, 0) / events) * 1000,
  };
}

/** A phase, with the CPU time the database and the API processes spent on it. */
async function measured(databasePid: number, apiPids: readonly number[], phase: () => Promise<PhaseResult>) {
  const cpu = async () => ({
    database: await cpuMsOf(databasePid),
    apis: (await Promise.all(apiPids.map(cpuMsOf))).reduce((a, b) => a + b, 0),
  });
  const before = await cpu();
  const result = await phase();
  const after = await cpu();
  return { ...result, databaseCpuMs: after.database - before.database, apiCpuMs: after.apis - before.apis };
}

async function benchmark(group: ProcessGroup, workDir: string, settings: LoadSettings) {
  const loadAverage = loadavg()[0];
  const stack = await startBenchStack(group, workDir, log, { apis: 2 });
  await sleep(1_000); // start-up work (seeding, index builds) ends just after /health/live
  const client = new mongo.MongoClient(stack.mongodbUri, { maxPoolSize: settings.clients * 2 });
  try {
    const db = client.db();
    const apis = stack.apis.map(({ url }) => new IngestionClient(url, settings.timeoutMs));
    const http = planLoad(settings, randomUUID().slice(0, 8));
    const raw = planLoad(settings, `raw-${randomUUID().slice(0, 8)}`);
    const sendHttp = httpSender(apis);
    // Mongoose builds the API's indexes in the background after start-up; the baseline copies them.
    await waitFor(
      'the indexes of the events collection',
      async () => (await secondaryIndexKeys(db.collection('events'))).length >= 2,
    );
    const sendRaw = await rawSender(db);
    const apiPids = stack.apis.map(({ pid }) => pid);
    const measure = (phase: () => Promise<PhaseResult>) => measured(stack.databasePid, apiPids, phase);

    const phases = { http: [] as MeasuredPhase[], raw: [] as MeasuredPhase[] };
    for (let round = 0; round <= settings.rounds; round++) {
      const label = round ? `existing leads, round ${round}/${settings.rounds}` : 'first contact';
      phases.raw.push(await measure(() => runPhase(raw[round], settings.clients, sendRaw)));
      phases.http.push(await measure(() => runPhase(http[round], settings.clients, sendHttp)));
      const [r, h] = [phases.raw[round], phases.http[round]];
      log(
        `${label}: Nudge ${rate(h)} events/s (${h.errors.length} errors, ${h.timeouts} timeouts), raw ${rate(r)} events/s`,
      );
    }

    const results = {
      firstContact: { http: combine(phases.http.slice(0, 1)), raw: combine(phases.raw.slice(0, 1)) },
      existing: { http: combine(phases.http.slice(1)), raw: combine(phases.raw.slice(1)) },
    };
    const sent = phases.http.reduce((sum, phase) => sum + phase.events, 0);
    // Counted before the after-run probe adds a lead and an event of its own.
    const stored = [await storedCheck(db, settings, sent), await leadsCheck(db, settings)];
    const afterRun = await answerTimes(stack.apis.map(({ url }) => url));
    const memory = await Promise.all(stack.apis.map(({ pid }) => memoryOf(pid)));
    const checks: Check[] = [
      noFailures(results.firstContact.http, 'first contact'),
      noFailures(results.existing.http, 'existing leads'),
      ...stored,
      {
        name: `both APIs answer within ${ANSWER_WITHIN_MS} ms after the run`,
        ok: afterRun.every((ms) => ms < ANSWER_WITHIN_MS),
        detail: `POST /v1/track + GET /v1/leads/:id: ${afterRun.map((ms) => `${ms.toFixed(0)} ms`).join(', ')}`,
      },
    ];
    return {
      date: new Date().toISOString(),
      machine: machineInfo(loadAverage),
      settings,
      ...results,
      ratio: {
        firstContact: results.firstContact.http.eventsPerSecond / results.firstContact.raw.eventsPerSecond,
        existing: results.existing.http.eventsPerSecond / results.existing.raw.eventsPerSecond,
      },
      afterRunMs: afterRun,
      apiMemory: memory,
      checks,
    };
  } finally {
    await client.close();
  }
}

const rate = (phase: PhaseResult) => Math.round(phase.events / (phase.wallMs / 1000)).toLocaleString('en-US');

function noFailures(phase: ReturnType<typeof combine>, label: string): Check {
  return {
    name: `${label}: every request answered 200, in time`,
    ok: phase.errors === 0 && phase.timeouts === 0,
    detail: `${phase.errors} errors, ${phase.timeouts} timeouts${phase.errorSamples.length ? `, e.g. ${phase.errorSamples.join(' | ')}` : ''}`,
  };
}

async function storedCheck(db: mongo.Db, settings: LoadSettings, sent: number): Promise<Check> {
  const expected = settings.leads * (settings.rounds + 1);
  const stored = await db.collection('events').countDocuments({ workspaceId: WORKSPACE_ID });
  return {
    name: 'every event sent is stored once',
    ok: stored === expected && sent === expected,
    detail: `${stored} stored, ${sent} acknowledged, ${expected} sent`,
  };
}

/** Every lead, read back with a cursor: its count, value sum and sessions exact. */
async function leadsCheck(db: mongo.Db, settings: LoadSettings): Promise<Check> {
  const events = settings.rounds + 1;
  let leads = 0;
  const wrong: string[] = [];
  const cursor = db
    .collection('leads')
    .find(
      { workspaceId: WORKSPACE_ID },
      { projection: { eventCount: 1, valueSum: 1, sessionCount: 1, countsByType: 1 } },
    );
  for await (const lead of cursor) {
    leads++;
    const types = Object.values((lead.countsByType ?? {}) as Record<string, number>).reduce((a, b) => a + b, 0);
    if (lead.eventCount !== events || types !== events || lead.valueSum !== 2 * events || lead.sessionCount !== 1)
      wrong.push(
        `${String(lead._id)}: ${lead.eventCount} events, ${lead.valueSum} value, ${lead.sessionCount} sessions`,
      );
  }
  return {
    name: 'every lead counts exactly its events, value and one session',
    ok: leads === settings.leads && wrong.length === 0,
    detail: `${leads} leads (${settings.leads} sent to), ${wrong.length} wrong${wrong.length ? `: ${wrong.slice(0, 3).join('; ')}` : ''}`,
  };
}

/**
 * How long each API takes, right after the run, to store one new event and read its lead
 * back (the bench runs no Temporal, so /health/ready would say 503 for that alone).
 */
async function answerTimes(urls: readonly string[]): Promise<number[]> {
  const times: number[] = [];
  for (const url of urls) {
    const userId = `after-run-${randomUUID()}`;
    const started = performance.now();
    await new IngestionClient(url, 10_000).postTrack(
      JSON.stringify({ userId, event: 'page_view', messageId: randomUUID() }),
    );
    const lead = await fetch(`${url}/v1/leads/${userId}`, {
      headers: { authorization: `Bearer ${SECRET_KEY}` },
      signal: AbortSignal.timeout(10_000),
    });
    if (!lead.ok) throw new Error(`GET ${url}/v1/leads/${userId} answered ${lead.status}`);
    times.push(performance.now() - started);
  }
  return times;
}

type Results = Awaited<ReturnType<typeof benchmark>>;

function formatReport(results: Results): string {
  const n = (value: number, digits = 0) =>
    value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
  const row = (label: string, phase: Results['existing'], ratio: number) =>
    `| ${label} | ${n(phase.http.eventsPerSecond)} | ${n(phase.http.p50Ms, 1)} / ${n(phase.http.p99Ms, 1)} | ${phase.http.errors} / ${phase.http.timeouts} | ${n(phase.http.databaseCpuMsPer1kEvents)} | ${n(phase.http.apiCpuMsPer1kEvents)} | ${n(phase.raw.eventsPerSecond)} | ${n(phase.raw.p50Ms, 1)} / ${n(phase.raw.p99Ms, 1)} | ${n(phase.raw.databaseCpuMsPer1kEvents)} | **${n(ratio * 100)} %** |`;
  const { settings: s, machine: m } = results;
  return [
    '',
    `bench:load — ${s.clients} clients × ${s.leadsPerBatch} leads per batch, ${s.leads} leads, 1 + ${s.rounds} rounds, 2 API processes`,
    `${m.cpu}, ${m.cores} cores, Node ${m.node}, ${m.database}; load average ${m.loadAverage.toFixed(2)} before the run`,
    '',
    '| phase | Nudge events/s | p50 / p99 ms | errors / timeouts | FerretDB CPU ms / 1k events | API CPU ms / 1k events | raw driver events/s | p50 / p99 ms | FerretDB CPU ms / 1k events | ratio |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    row('first contact (new leads)', results.firstContact, results.ratio.firstContact),
    row('existing leads', results.existing, results.ratio.existing),
    '',
    `API memory after the run (RSS / peak): ${results.apiMemory.map((m) => `${n(m.rssMiB)} / ${n(m.peakRssMiB)} MiB`).join(', ')}`,
    '',
    ...results.checks.map((check) => `${check.ok ? 'ok  ' : 'FAIL'} ${check.name} — ${check.detail}`),
    '',
  ].join('\n');
}

const group = new ProcessGroup();
startBench('bench:load', () => {
  const settings = readSettings();
  return runBench({
    name: 'bench:load',
    resultsFile: RESULTS_FILE,
    groups: [group],
    tempDirPrefixes: ['nudge-bench-load-'],
    run: ({ dirs: [workDir] }) => benchmark(group, workDir, settings),
    report: formatReport,
    checks: (results) => results.checks,
    tails: [
      [group, 'api'],
      [group, 'api-2'],
    ],
  });
});
