/**
 * `npm run bench`: how fast the API ingests events, against the database driver alone.
 *
 * Builds the API, starts FerretDB (fresh data directory) and the API on free ports, and
 * measures, in one run against one database:
 *  - throughput: events/s through `POST /v1/batch` (batches of 100 events of one visitor,
 *    as analytics.js sends them) against the driver's own `insertMany` of the same
 *    documents the API stores, into a collection with the same indexes. The two phases
 *    alternate (driver, HTTP, driver, HTTP, …) so drift in the database hits both alike.
 *  - latency: single `POST /v1/track` events at a fixed, open-loop rate, against the
 *    driver's `insertOne` of the same documents at the same rate.
 *  - the API's memory: peak RSS once started, and after the run.
 * Prints a table, writes bench/results/ingestion.json, and exits 1 if a check failed
 * (a request not answered 200 with every event accepted, or a stored count that differs
 * from what was sent). Benchmarks report; nothing here asserts a timing.
 *
 * Settings (environment variables, positive integers):
 *   BENCH_VISITORS     distinct visitors (anonymous ids) the batches come from   default 200
 *   BENCH_BATCHES      batches of 100 events per throughput phase                default 400
 *   BENCH_CONCURRENCY  concurrent keep-alive clients (HTTP) or inserts (driver)  default 8
 *   BENCH_RATE         single events per second in the latency phases            default 100
 *   BENCH_SECONDS      duration of each latency phase                            default 10
 *   BENCH_ROUNDS       times the driver and HTTP throughput phases alternate     default 2
 *   BENCH_WARMUP       HTTP batches before timing (default: one per visitor, so
 *                      every visitor's lead exists and the API's caches are warm)
 */
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { mongo } from 'mongoose';
import { ProcessGroup, waitFor } from '../tools/stack/processes';
import { countCheck, errorCheck, sameIndexesCheck } from './lib/checks';
import { createRawCollection, IngestionClient, secondaryIndexKeys } from './lib/clients';
import { measureLatency, measureThroughput, Targets, warmUp } from './lib/phases';
import { BATCH_SIZE, eventsIn, Plan, planRun, Settings } from './lib/plan';
import { formatReport, Results } from './lib/report';
import { runBench, startBench } from './lib/bench-main';
import { compareWithStored } from './lib/shape';
import { memoryOf, startBenchStack } from './lib/stack';
import { Workload } from './lib/workload';
import { positiveSetting } from './lib/settings';
import { machineInfo } from './lib/machine';

const RESULTS_FILE = join(__dirname, 'results', 'ingestion.json');
const RAW_COLLECTION = 'bench_raw_events';
/** The aim: HTTP ingestion at 70 % or more of the raw driver's rate. */
const TARGET_RATIO = 0.7;
const log = (line: string) => console.log(`[bench] ${line}`);

function readSettings(): Settings {
  const visitors = positiveSetting('BENCH_VISITORS', 200);
  return {
    visitors,
    batches: positiveSetting('BENCH_BATCHES', 400),
    concurrency: positiveSetting('BENCH_CONCURRENCY', 8),
    rate: positiveSetting('BENCH_RATE', 100),
    seconds: positiveSetting('BENCH_SECONDS', 10),
    rounds: positiveSetting('BENCH_ROUNDS', 2),
    warmupBatches: positiveSetting('BENCH_WARMUP', visitors),
  };
}

async function benchmark(group: ProcessGroup, workDir: string, settings: Settings): Promise<Results> {
  // Taken before we add load of our own: anything else busy on the machine skews every figure.
  const loadAverage = loadavg()[0];
  const stack = await startBenchStack(group, workDir, log);
  // Start-up work (seeding, index builds) finishes just after /health/live answers.
  await sleep(1_000);
  const idleMemory = await memoryOf(stack.apiPid);

  const client = new mongo.MongoClient(stack.mongodbUri);
  try {
    const db = client.db();
    const events = db.collection('events');
    // Mongoose builds the API's indexes in the background after start-up.
    await waitFor('the indexes of the events collection', async () => (await secondaryIndexKeys(events)).length >= 2);
    const targets: Targets = {
      api: new IngestionClient(stack.apiUrl),
      raw: await createRawCollection(db, RAW_COLLECTION, await secondaryIndexKeys(events)),
      concurrency: settings.concurrency,
      rate: settings.rate,
      pids: { api: stack.apiPid, database: stack.databasePid },
    };

    log('generating every payload…');
    const plan = planRun(new Workload(settings.visitors), settings);
    log(`warming up: ${plan.warmup.length} HTTP batches, ${plan.rawWarmup.length} driver inserts…`);
    await warmUp(plan, targets);
    const shape = await compareWithStored(events, plan.warmup[0]);
    if (shape.mismatches.length)
      throw new Error(`the driver baseline's documents differ from the API's:\n${shape.mismatches.join('\n')}`);

    const throughput = await measureThroughput(plan, targets, log);
    log(`latency: ${settings.rate} single events/s for ${settings.seconds} s, driver then HTTP…`);
    const latency = await measureLatency(plan, targets);
    const afterRun = await memoryOf(stack.apiPid);

    const sent = sentEvents(plan);
    const raw = db.collection(RAW_COLLECTION);
    const checks = [
      await countCheck('events stored by the API', events, sent.api),
      await countCheck(`documents in ${RAW_COLLECTION}`, raw, sent.raw),
      errorCheck('HTTP POST /v1/track', latency.http),
      errorCheck('driver insertOne', latency.raw),
      await sameIndexesCheck(events, raw),
    ];
    return {
      date: new Date().toISOString(),
      machine: machineInfo(loadAverage),
      settings: { ...settings, batchSize: BATCH_SIZE },
      payload: {
        eventJsonBytes: meanEventJsonBytes(plan),
        storedBsonBytes: shape.storedBytes,
        rawBsonBytes: shape.builtBytes,
      },
      throughput: {
        ...throughput,
        ratio: throughput.http.median / throughput.raw.median,
        target: TARGET_RATIO,
      },
      latency: {
        ...latency,
        ratioP50: latency.http.p50 / latency.raw.p50,
        ratioP99: latency.http.p99 / latency.raw.p99,
      },
      memory: { idle: idleMemory, afterRun },
      checks,
    };
  } finally {
    await client.close();
  }
}

/** Events the run sent each way, warm-up included: what each collection must hold at the end. */
function sentEvents(plan: Plan): { api: number; raw: number } {
  const rounds = (phase: 'http' | 'raw') => plan.rounds.reduce((sum, round) => sum + eventsIn(round[phase]), 0);
  return {
    api: eventsIn(plan.warmup.map((batch) => batch.messages)) + rounds('http') + plan.latency.http.length,
    raw: eventsIn(plan.rawWarmup) + rounds('raw') + plan.latency.raw.length,
  };
}

/** Mean size of one event as sent, over the warm-up batches' messages. */
function meanEventJsonBytes(plan: Plan): number {
  const messages = plan.warmup.flatMap((batch) => batch.messages);
  return messages.reduce((sum, message) => sum + Buffer.byteLength(JSON.stringify(message)), 0) / messages.length;
}

const group = new ProcessGroup();
startBench('bench', () => {
  const settings = readSettings();
  return runBench({
    name: 'bench',
    resultsFile: RESULTS_FILE,
    groups: [group],
    tempDirPrefixes: ['nudge-bench-'],
    run: ({ dirs: [workDir] }) => benchmark(group, workDir, settings),
    report: formatReport,
    checks: (results) => results.checks,
    tails: [[group, 'api']],
  });
});
