/**
 * `npm run bench:journeys`: how fast an event becomes a journey's email, and how many journey
 * signals per second reach Temporal, each against the same work done straight on the
 * Temporal SDK in the same run.
 *
 * Builds the API and worker, starts FerretDB (fresh data directory), the Temporal dev server
 * (in memory, headless), an SMTP server inside this process (so acceptance is timestamped
 * on the bench's own clock), and the API and worker with JOURNEY_WAIT_SCALE=0 (the example
 * journey's 60- and 120-minute waits take no time), a rate limit out of the way, and
 * SMTP_URL pointing at that server. Then:
 *
 *  1. Event → email accepted. `BENCH_LEADS` distinct leads, each identified with
 *     traits.email beforehand, get a form_abandon {formId: 'quote', formCompletion: 40} at
 *     `BENCH_LEAD_RATE` per second, open loop; each is timed from when its request was due
 *     to when the SMTP server accepted that lead's email (the seeded journey
 *     form-abandonment-recovery: matcher → outbox → relay → lead workflow → journey run →
 *     sendEmail). Distinct leads, because the journey has a 24-hour cooldown and
 *     EMAIL_DAILY_CAP_PER_LEAD is 3. The raw baseline, at the same rate: a one-activity
 *     workflow (bench/journeys/baseline.workflows.ts) started with the client, whose
 *     activity, on a worker inside this process, sends the same rendered email through
 *     nodemailer to the same server; timed from start to acceptance. Each path is warmed
 *     up first. The median of every step is read back from the workflow histories, to
 *     show where the time goes. A third line, nodemailer sending straight to the sink,
 *     is the SMTP leg's own cost inside both figures: smtp-server holds each new
 *     connection's greeting 100 ms (its early-talker check, not configurable) and
 *     nodemailer opens a connection per message, so ~150 ms of each path is the sink.
 *  2. Journey-signal throughput. `BENCH_SIGNALS` form_abandon events, each of a new lead,
 *     posted through `POST /v1/batch` as fast as the API takes them, timed from the first
 *     request until the journey_outbox collection is empty (every signal accepted by
 *     Temporal), against a loop of `client.workflow.signalWithStart` of the same signal
 *     payload with the relay's concurrency (32). Distinct leads, because the relay
 *     delivers one lead's signals one after another and up to 32 leads at once: with
 *     repeated leads its figure would measure our choice of lead count, not its speed;
 *     with distinct ones both sides do exactly the same Temporal work per signal (start a
 *     workflow, append a signal, schedule a workflow task). Nudge's worker is stopped
 *     before this phase: otherwise every signal would run a whole journey (an email
 *     included) on the same two cores, and the figure would mix delivery with execution,
 *     which phase 1 already measures; the raw signals go to a queue no worker polls, so
 *     both sides leave the same backlog in Temporal. Rounds alternate, raw then Nudge.
 *     Two more Nudge figures say which half limits it: how fast the API answered the
 *     requests (ingestion, new leads included), and how long the outbox took to empty
 *     after the last answer (how far the relay trailed). The outbox is watched with a
 *     findOne, not a count: FerretDB counts by reading every document.
 *  3. Memory: the API's and the worker's peak RSS (the worker's before it is stopped).
 *
 * Prints a table, writes bench/results/journeys.json, and exits 1 only if a check failed
 * (an email missing or sent twice, a request refused, a run not completed, a signal that
 * did not reach Temporal). Nothing here asserts a timing.
 *
 * Settings (environment variables, positive integers):
 *   BENCH_LEADS          timed leads (emails) per path in phase 1            default 100
 *   BENCH_LEAD_RATE      leads (or baseline workflows) started per second    default 2
 *   BENCH_LEAD_WARMUP    warm-up leads per path before timing                default 10
 *   BENCH_EMAIL_TIMEOUT  seconds an email may take before it counts missing  default 60
 *   BENCH_SIGNALS        signals (events of distinct leads) per round        default 1000
 *   BENCH_SIGNAL_ROUNDS  times the raw and Nudge signal phases alternate     default 2
 *   BENCH_SIGNAL_BATCH   events per POST /v1/batch in phase 2                default 50
 *   BENCH_SIGNAL_CLIENTS concurrent HTTP clients in phase 2                  default 8
 * (Named apart from the ingestion bench's BENCH_RATE etc., since `npm run bench` runs both.)
 */
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { mongo } from 'mongoose';
import { ProcessGroup } from '../tools/stack/processes';
import { TOOL_VERSIONS } from '../tools/stack/tools';
import { IngestionClient } from './lib/clients';
import { memoryOf } from './lib/stack';
import { measureEmailLatency } from './journeys/latency';
import { NAMESPACE } from './journeys/leads';
import { formatReport, Results, Settings } from './journeys/report';
import { runBench, startBench } from './lib/bench-main';
import { TimedSmtpSink } from './journeys/smtp';
import { startJourneyStack, waitForWorker } from './journeys/stack';
import { measureSignalThroughput, RELAY_CONCURRENCY } from './journeys/throughput';
import { positiveSetting } from './lib/settings';

const RESULTS_FILE = join(__dirname, 'results', 'journeys.json');
const log = (line: string) => console.log(`[bench] ${line}`);

function readSettings(): Settings {
  return {
    leads: positiveSetting('BENCH_LEADS', 100),
    rate: positiveSetting('BENCH_LEAD_RATE', 2),
    warmupLeads: positiveSetting('BENCH_LEAD_WARMUP', 10),
    emailTimeoutMs: positiveSetting('BENCH_EMAIL_TIMEOUT', 60) * 1000,
    signals: positiveSetting('BENCH_SIGNALS', 1000),
    signalRounds: positiveSetting('BENCH_SIGNAL_ROUNDS', 2),
    signalBatch: positiveSetting('BENCH_SIGNAL_BATCH', 50),
    signalClients: positiveSetting('BENCH_SIGNAL_CLIENTS', 8),
  };
}

interface Groups {
  /** FerretDB, Temporal and the API. */
  stack: ProcessGroup;
  /** The worker alone, stopped between the phases. */
  worker: ProcessGroup;
}

async function benchmark(groups: Groups, sink: TimedSmtpSink, workDir: string, settings: Settings): Promise<Results> {
  // Taken before we add load of our own: anything else busy on the machine skews every figure.
  const loadAverage = loadavg()[0];
  const stack = await startJourneyStack(groups.stack, groups.worker, { workDir, smtpUrl: sink.url, log });
  const connection = await Connection.connect({ address: stack.temporalAddress });
  const client = new Client({ connection, namespace: NAMESPACE });
  const database = new mongo.MongoClient(stack.mongodbUri);
  try {
    await waitForWorker(client, () => groups.worker.assertRunning('worker'));
    // Start-up work (seeding, index builds) finishes just after the API answers.
    await sleep(1_000);
    const idle = { api: await memoryOf(stack.pids.api), worker: await memoryOf(stack.pids.worker) };
    const db = database.db();
    const api = new IngestionClient(stack.apiUrl);

    const latency = await measureEmailLatency(
      { api, client, sink, db, temporalAddress: stack.temporalAddress, pids: stack.pids, log },
      settings,
    );
    const workerAfterEmails = await memoryOf(stack.pids.worker);

    log('stopping the worker: the signals phase measures delivery to Temporal, not journeys running');
    const killed = await groups.worker.stopAll();
    if (killed.length) log(`the worker had to be killed: it did not stop within 10 s`);
    const { worker: _stopped, ...pids } = stack.pids;
    const throughput = await measureSignalThroughput(
      { api, client, outbox: db.collection('journey_outbox'), pids, log },
      settings,
    );
    const apiAfterRun = await memoryOf(stack.pids.api);

    const { nudge, raw, floor } = latency;
    return {
      date: new Date().toISOString(),
      machine: {
        cpu: cpus()[0]?.model ?? 'unknown',
        cores: cpus().length,
        node: process.version,
        stack:
          `FerretDB ${TOOL_VERSIONS.ferretdb} (SQLite), ` +
          `Temporal CLI ${TOOL_VERSIONS.temporalCli} dev server (in memory)`,
        loadAverage,
      },
      settings: { ...settings, relayConcurrency: RELAY_CONCURRENCY, journeyWaitScale: 0 },
      latency: {
        nudge,
        raw,
        floor,
        ratioP50: nudge.p50 / raw.p50,
        ratioP99: nudge.p99 / raw.p99,
        ratioMean: nudge.mean / raw.mean,
        ratioP50AboveFloor: (nudge.p50 - floor.p50) / (raw.p50 - floor.p50),
      },
      throughput: {
        nudge: throughput.nudge,
        raw: throughput.raw,
        ratio: throughput.nudge.median / throughput.raw.median,
      },
      memory: {
        api: { idle: idle.api, afterRun: apiAfterRun },
        worker: { idle: idle.worker, afterEmails: workerAfterEmails },
      },
      checks: [...latency.checks, ...throughput.checks],
    };
  } finally {
    await database.close();
    await connection.close();
  }
}

const groups: Groups = { stack: new ProcessGroup(), worker: new ProcessGroup() };
const sink = new TimedSmtpSink();
startBench('bench', () => {
  const settings = readSettings();
  // The baseline's worker runs in this process: quiet, and leaving Ctrl-C to us.
  Runtime.install({ logger: new DefaultLogger('WARN'), shutdownSignals: [] });
  return runBench({
    name: 'bench',
    resultsFile: RESULTS_FILE,
    // The worker drains while Temporal and the database are still up.
    groups: [groups.worker, groups.stack],
    tempDirPrefixes: ['nudge-bench-journeys-'],
    run: async ({ dirs: [workDir] }) => {
      await sink.start();
      return benchmark(groups, sink, workDir, settings);
    },
    report: formatReport,
    checks: (results) => results.checks,
    tails: [
      [groups.stack, 'api'],
      [groups.worker, 'worker'],
    ],
    close: () => sink.close(),
  });
});
