/**
 * `npm run bench:experiments`: how many variant assignments Nudge answers per second, in
 * process and through HTTP, each beside a raw baseline measured in the same run.
 *
 *  1. In process: `decideVariant` (GrowthBook's double FNV-1a, the variants' bucket ranges,
 *     coverage) for `BENCH_ASSIGNMENTS` lead ids, against one FNV-1a hash of the same ids
 *     modulo the variants: the least any hashing assignment computes.
 *  2. HTTP: FerretDB (the embedded default) and two API processes; `BENCH_LEADS` leads seeded
 *     by the driver and a running experiment of three variants. `BENCH_CLIENTS` concurrent
 *     clients ask `GET /v1/experiments/:id/variants/:leadId` (the write key, as a website
 *     does), alternating between the two APIs, first for every lead (first contact: the
 *     assignment stored once and its `experiment_viewed` exposure recorded through
 *     ingestion), then again (sticky: read back). The raw baseline does the least a client
 *     must for the same result, with the driver at the same concurrency, on leads of its
 *     own: read the lead, insert the assignment, insert the exposure event; then read the
 *     lead and the assignment.
 * Checks: every request answered 200; one assignment and one exposure event per lead; the
 * second pass answers what the first did; the split passes the SRM check.
 *
 * Settings: BENCH_ASSIGNMENTS (default 1000000), BENCH_LEADS (5000), BENCH_CLIENTS (16).
 */
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { mongo } from 'mongoose';
import { decideVariant, type ExperimentToAssign } from '../src/experiments/assignment/decide-variant';
import { fnv1a32 } from '../src/experiments/assignment/hash';
import { sampleRatioCheck } from '../src/experiments/statistics/sample-ratio';
import { ProcessGroup } from '../tools/stack/processes';
import { runBench, startBench } from './lib/bench-main';
import { machineInfo } from './lib/machine';
import { positiveSetting } from './lib/settings';
import { startBenchStack } from './lib/stack';
import { LatencySummary, summarizeLatencies } from './lib/stats';
import { WORKSPACE_ID, WRITE_KEY } from './lib/workload';

const RESULTS_FILE = join(__dirname, 'results', 'experiments.json');
const EXPERIMENT_ID = 'bench-hero';
const log = (line: string) => console.log(`[bench:experiments] ${line}`);

const experiment: ExperimentToAssign = {
  status: 'running',
  seed: EXPERIMENT_ID,
  coverage: 1,
  variants: ['control', 'beach', 'mountain'].map((id, i) => ({
    id,
    name: id,
    weight: 1 / 3,
    content: { image: `${id}.jpg` },
    isControl: i === 0,
  })),
};

interface Pass extends LatencySummary {
  perSecond: number;
  errors: number;
}

interface Results {
  machine: ReturnType<typeof machineInfo>;
  inProcess: { assignments: number; perSecond: number; rawPerSecond: number; ratio: number };
  http: {
    leads: number;
    clients: number;
    first: Pass;
    sticky: Pass;
    rawFirst: Pass;
    rawSticky: Pass;
    assignments: number;
    exposures: number;
    stickyMatches: boolean;
    srmPValue: number;
  };
}

function inProcess(assignments: number) {
  const ids = Array.from({ length: assignments }, (_, i) => `lead-${i}`);
  let sink = 0;
  let started = performance.now();
  for (const id of ids) {
    const decision = decideVariant(experiment, id);
    if ('enter' in decision) sink += decision.enter.weight;
  }
  const ms = performance.now() - started;
  started = performance.now();
  for (const id of ids) sink += fnv1a32(EXPERIMENT_ID + id) % 3;
  const rawMs = performance.now() - started;
  if (sink < 0) log('unreachable'); // keeps the loops from being optimised away
  const perSecond = assignments / (ms / 1000);
  const rawPerSecond = assignments / (rawMs / 1000);
  return { assignments, perSecond, rawPerSecond, ratio: perSecond / rawPerSecond };
}

/** Runs `work` for every index with `clients` at once; latencies and errors of each call. */
async function concurrently(count: number, clients: number, work: (i: number) => Promise<boolean>): Promise<Pass> {
  const latencies: number[] = [];
  let errors = 0;
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      for (let i = next++; i < count; i = next++) {
        const at = performance.now();
        const ok = await work(i).catch(() => false);
        latencies.push(performance.now() - at);
        if (!ok) errors++;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return { ...summarizeLatencies(latencies), perSecond: count / seconds, errors };
}

async function seed(db: mongo.Db, ids: readonly string[]) {
  const now = new Date();
  for (let i = 0; i < ids.length; i += 5_000)
    await db.collection('leads').insertMany(
      ids.slice(i, i + 5_000).map((id) => ({
        _id: id as never,
        workspaceId: WORKSPACE_ID,
        traits: {},
        countsByType: {},
        createdAt: now,
        updatedAt: now,
      })),
      { ordered: false },
    );
  await db.collection('experiments').insertOne({
    _id: `${WORKSPACE_ID}:${EXPERIMENT_ID}` as never,
    workspaceId: WORKSPACE_ID,
    name: 'Hero image',
    type: 'content',
    ...experiment,
    allocation: { method: 'random' },
    primaryMetric: { id: 'primary', kind: 'conversion', event: 'signup' },
    guardrailMetrics: [],
    settings: {
      significance: 0.05,
      minSamplePerVariant: 100,
      durationDays: 14,
      correction: 'holm',
      analyseEveryMinutes: 60,
    },
    tags: [],
    startAt: now,
    createdAt: now,
    updatedAt: now,
  });
}

async function overHttp(db: mongo.Db, urls: readonly string[], leads: number, clients: number) {
  const ids = Array.from({ length: leads }, (_, i) => `bench-lead-${i}`);
  const rawIds = ids.map((id) => `raw-${id}`);
  await seed(db, [...ids, ...rawIds]);
  const authorization = `Basic ${Buffer.from(`${WRITE_KEY}:`).toString('base64')}`;
  const answers = new Map<string, string>();
  const ask = async (i: number, remember: boolean) => {
    const response = await fetch(`${urls[i % urls.length]}/v1/experiments/${EXPERIMENT_ID}/variants/${ids[i]}`, {
      headers: { authorization },
    });
    if (response.status !== 200) return false;
    const { variantId } = (await response.json()) as { variantId: string };
    if (remember) answers.set(ids[i], variantId);
    return remember || answers.get(ids[i]) === variantId;
  };
  log(`HTTP: ${leads.toLocaleString('en-US')} leads, first contact…`);
  const first = await concurrently(leads, clients, (i) => ask(i, true));
  log('HTTP: the same leads again (sticky)…');
  const sticky = await concurrently(leads, clients, (i) => ask(i, false));

  const leadsOf = db.collection('leads');
  const assignmentsOf = db.collection('bench_raw_assignments');
  const eventsOf = db.collection('bench_raw_events');
  log('raw driver: read lead, insert assignment and exposure, then read both back…');
  const rawFirst = await concurrently(leads, clients, async (i) => {
    const lead = await leadsOf.findOne({ _id: rawIds[i] as never });
    if (!lead) return false;
    const decision = decideVariant(experiment, rawIds[i]);
    const variantId = 'enter' in decision ? decision.enter.id : decision.variant.id;
    await assignmentsOf.insertOne({ _id: `${WORKSPACE_ID}:${EXPERIMENT_ID}:${rawIds[i]}` as never, variantId });
    await eventsOf.insertOne({ _id: `exposure-${rawIds[i]}` as never, leadId: rawIds[i], variantId });
    return true;
  });
  const rawSticky = await concurrently(leads, clients, async (i) => {
    const lead = await leadsOf.findOne({ _id: rawIds[i] as never });
    return !!lead && !!(await assignmentsOf.findOne({ _id: `${WORKSPACE_ID}:${EXPERIMENT_ID}:${rawIds[i]}` as never }));
  });

  const assignments = await db.collection('experiment_assignments').countDocuments({ experimentId: EXPERIMENT_ID });
  const exposures = await db
    .collection('events')
    .countDocuments({ eventType: 'experiment_viewed', 'properties.experimentId': EXPERIMENT_ID });
  const counts = experiment.variants.map(({ id }) => [...answers.values()].filter((v) => v === id).length);
  return {
    leads,
    clients,
    first,
    sticky,
    rawFirst,
    rawSticky,
    assignments,
    exposures,
    stickyMatches: sticky.errors === 0,
    srmPValue: sampleRatioCheck(
      counts,
      experiment.variants.map((v) => v.weight),
    ).pValue,
  };
}

async function benchmark(group: ProcessGroup, workDir: string): Promise<Results> {
  const machine = machineInfo(loadavg()[0]);
  log('in process: decideVariant against one FNV-1a per id…');
  const assignmentsInProcess = inProcess(positiveSetting('BENCH_ASSIGNMENTS', 1_000_000));
  const stack = await startBenchStack(group, workDir, log, { apis: 2 });
  const client = await new mongo.MongoClient(stack.mongodbUri).connect();
  try {
    const http = await overHttp(
      client.db(),
      stack.apis.map(({ url }) => url),
      positiveSetting('BENCH_LEADS', 5_000),
      positiveSetting('BENCH_CLIENTS', 16),
    );
    return { machine, inProcess: assignmentsInProcess, http };
  } finally {
    await client.close();
  }
}

const int = (value: number) => Math.round(value).toLocaleString('en-US');
const pass = (p: Pass) =>
  `${int(p.perSecond)}/s, p50 ${p.p50.toFixed(1)} ms, p99 ${p.p99.toFixed(1)} ms, max ${int(p.max)} ms, ${p.errors} errors`;

function formatReport(r: Results): string {
  const h = r.http;
  return [
    '',
    `Experiment assignment (${r.machine.cpu}, ${r.machine.cores} cores, node ${r.machine.node})`,
    `  in process     ${int(r.inProcess.perSecond)}/s decideVariant vs ${int(r.inProcess.rawPerSecond)}/s one FNV-1a ` +
      `= ${(r.inProcess.ratio * 100).toFixed(0)} % (${int(r.inProcess.assignments)} ids)`,
    `  HTTP first     ${pass(h.first)}  (two APIs, ${h.clients} clients, ${int(h.leads)} leads)`,
    `  raw first      ${pass(h.rawFirst)}  (driver: read lead, insert assignment + event)`,
    `  ratio          ${((h.first.perSecond / h.rawFirst.perSecond) * 100).toFixed(0)} %`,
    `  HTTP sticky    ${pass(h.sticky)}`,
    `  raw sticky     ${pass(h.rawSticky)}  (driver: read lead + assignment)`,
    `  ratio          ${((h.sticky.perSecond / h.rawSticky.perSecond) * 100).toFixed(0)} %`,
    `  stored         ${int(h.assignments)} assignments, ${int(h.exposures)} exposure events; SRM p = ${h.srmPValue.toFixed(3)}`,
    '',
  ].join('\n');
}

const group = new ProcessGroup();
startBench('bench:experiments', () =>
  runBench({
    name: 'bench:experiments',
    resultsFile: RESULTS_FILE,
    groups: [group],
    tempDirPrefixes: ['nudge-bench-experiments-'],
    run: ({ dirs: [workDir] }) => benchmark(group, workDir),
    report: formatReport,
    checks: (r) => [
      { name: 'every request answered 200', ok: r.http.first.errors === 0 && r.http.sticky.errors === 0 },
      { name: 'one assignment per lead', ok: r.http.assignments === r.http.leads },
      { name: 'one exposure event per lead', ok: r.http.exposures === r.http.leads },
      { name: 'the second pass answered what the first did', ok: r.http.stickyMatches },
      { name: 'the split passes the SRM check', ok: r.http.srmPValue >= 0.001 },
    ],
    tails: [[group, 'api']],
  }),
);
