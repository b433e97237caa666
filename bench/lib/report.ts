import { Settings } from './plan';
import { MemoryUse } from './stack';
import { LatencySummary } from './stats';

/** Everything a run found, as printed and as written to bench/results/ingestion.json. */
export interface Results {
  date: string;
  machine: {
    cpu: string;
    cores: number;
    node: string;
    database: string;
    /** The 1-minute load average when the bench started, before its own load. */
    loadAverage: number;
  };
  settings: Settings & { batchSize: number };
  payload: { eventJsonBytes: number; storedBsonBytes: number; rawBsonBytes: number };
  throughput: {
    http: Throughput;
    raw: Throughput;
    /** HTTP events/s over driver events/s, each the median of its rounds. */
    ratio: number;
    target: number;
  };
  latency: {
    http: LatencyFigures;
    raw: LatencyFigures;
    /** HTTP over driver, for p50 and p99. */
    ratioP50: number;
    ratioP99: number;
  };
  memory: { idle: MemoryUse; afterRun: MemoryUse };
  checks: Check[];
}

export interface Throughput {
  /** Events per second of each round, in run order. */
  rounds: number[];
  median: number;
  /** Time per batch request or `insertMany`, all rounds together. */
  batchMs: LatencySummary;
  /** Where the work went: CPU time of each process per 1,000 events, all rounds together. */
  cpuMsPerThousandEvents: CpuUse;
}

/** CPU time, in ms, of the API, the database and the bench itself. */
export interface CpuUse {
  api: number;
  database: number;
  bench: number;
}

export type LatencyFigures = LatencySummary & {
  errors: number;
  /** A few distinct error messages, when there were errors. */
  errorMessages: string[];
};

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

export function formatReport(results: Results): string {
  const { machine, settings: s, throughput: t, latency: l, memory: m, payload: p } = results;
  const throughputRow = (name: string, x: Throughput) =>
    row(name, [...x.rounds.map(int), int(x.median), int(x.batchMs.p50), int(x.batchMs.p99)]);
  const cpuRow = (name: string, { api, database, bench }: CpuUse) => row(name, [api, database, bench].map(int));
  const latencyRow = (name: string, x: LatencyFigures) =>
    row(name, [...[x.p50, x.p99, x.max].map((ms) => ms.toFixed(1)), String(x.errors)]);
  const memoryRow = (name: string, x: MemoryUse) => row(name, [x.peakRssMiB, x.rssMiB].map(int));

  return [
    '',
    'Nudge ingestion benchmark',
    `  machine    ${machine.cpu}, ${machine.cores} cores, node ${machine.node}, ${machine.database}, ` +
      `load average ${machine.loadAverage.toFixed(1)} at start`,
    `  workload   ${s.visitors} visitors, each batch ${s.batchSize} events of one of them; ` +
      `${s.warmupBatches} warm-up batches first`,
    `  events     ${int(p.eventJsonBytes)} B of JSON sent, ${int(p.storedBsonBytes)} B of BSON stored by the API, ` +
      `${int(p.rawBsonBytes)} B by the driver baseline (mean)`,
    '',
    `Throughput, ${s.batches} batches of ${s.batchSize} events per phase, ${s.concurrency} concurrent clients`,
    row('  (events/s; batch ms)', [
      ...t.http.rounds.map((_, i) => `round ${i + 1}`),
      'median',
      'batch p50',
      'batch p99',
    ]),
    throughputRow('  HTTP POST /v1/batch', t.http),
    throughputRow('  driver insertMany', t.raw),
    `  HTTP / driver           ${pct(t.ratio)} (aim: ≥ ${pct(t.target)}, ${t.ratio >= t.target ? 'met' : 'not met'})`,
    '',
    row('CPU per 1,000 events (ms)', ['API', 'FerretDB', 'bench']),
    cpuRow('  HTTP POST /v1/batch', t.http.cpuMsPerThousandEvents),
    cpuRow('  driver insertMany', t.raw.cpuMsPerThousandEvents),
    '',
    `Latency of single events at ${s.rate}/s for ${s.seconds} s, open loop`,
    row('  (ms)', ['p50', 'p99', 'max', 'errors']),
    latencyRow('  HTTP POST /v1/track', l.http),
    latencyRow('  driver insertOne', l.raw),
    `  HTTP / driver           p50 ${l.ratioP50.toFixed(1)}×, p99 ${l.ratioP99.toFixed(1)}×`,
    '',
    row('API memory (MiB)', ['peak RSS', 'RSS']),
    memoryRow('  idle after start-up', m.idle),
    memoryRow('  after the run', m.afterRun),
    '',
    'Checks',
    ...results.checks.map((check) => `  ${check.ok ? 'ok    ' : 'FAILED'}  ${check.name}: ${check.detail}`),
    '',
  ].join('\n');
}

/** A table row: the label, then right-aligned cells. */
const row = (label: string, cells: string[]) => label.padEnd(26) + cells.map((cell) => cell.padStart(11)).join('');

const int = (value: number) => Math.round(value).toLocaleString('en-US');
const pct = (value: number) => `${(value * 100).toFixed(0)} %`;
