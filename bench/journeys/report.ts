import { Check } from '../lib/report';
import { MemoryUse } from '../lib/stack';
import { LatencySummary } from '../lib/stats';
import { Milestones } from './breakdown';
import { CpuMs } from './cpu';

/** Everything a run found, as printed and as written to bench/results/journeys.json. */

export interface Settings {
  /** Timed leads in the email phase, each its own lead and email. */
  leads: number;
  /** Leads (and baseline workflows) started per second in the email phase. */
  rate: number;
  warmupLeads: number;
  /** How long an email may take before it counts as missing. */
  emailTimeoutMs: number;
  /** Signals (form_abandon events of distinct leads) per throughput round. */
  signals: number;
  signalRounds: number;
  /** Events per `POST /v1/batch` in the throughput phase. */
  signalBatch: number;
  /** Concurrent HTTP clients in the throughput phase. */
  signalClients: number;
}

export type EmailLatency = LatencySummary & {
  mean: number;
  errors: number;
  errorMessages: string[];
  /** Mean size of the email as the SMTP server received it. */
  emailBytes: number;
  /** CPU time of each process per timed email. */
  cpuMsPerEmail: CpuMs;
  milestones: Milestones;
  /** Median events in the Temporal histories behind one email. */
  historyEvents: number;
};

/**
 * nodemailer straight to the sink, no Temporal: the part of both paths' latency that is the
 * SMTP leg itself. smtp-server holds every new connection's greeting 100 ms to catch
 * clients that talk too early, and nodemailer opens a connection per message.
 */
export type SmtpFloor = LatencySummary & { mean: number };

export interface SignalThroughput {
  /** Signals per second of each round, in run order. */
  rounds: number[];
  median: number;
  cpuMsPerThousandSignals: CpuMs;
  /** Nudge only: how fast the API answered the round's requests. */
  httpEventsPerSecond?: number[];
  /** From the last request answered to an empty outbox: how far the relay trailed ingestion. */
  drainTailMs?: number[];
}

export interface Results {
  date: string;
  machine: { cpu: string; cores: number; node: string; stack: string; loadAverage: number };
  settings: Settings & { relayConcurrency: number; journeyWaitScale: number };
  latency: {
    nudge: EmailLatency;
    raw: EmailLatency;
    floor: SmtpFloor;
    ratioP50: number;
    ratioP99: number;
    ratioMean: number;
    /** Nudge over raw, each p50 less the SMTP floor's p50: the ratio of what the two paths add to sending. */
    ratioP50AboveFloor: number;
  };
  throughput: { nudge: SignalThroughput; raw: SignalThroughput; ratio: number };
  memory: {
    api: { idle: MemoryUse; afterRun: MemoryUse };
    worker: { idle: MemoryUse; afterEmails: MemoryUse };
  };
  checks: Check[];
}

export function formatReport(results: Results): string {
  const { machine, settings: s, latency: l, throughput: t, memory: m } = results;
  const latencyRow = (name: string, x: SmtpFloor & { errors?: number }) =>
    row(name, [...[x.p50, x.p99, x.mean, x.max].map(ms), x.errors === undefined ? '' : String(x.errors)]);
  const cpuColumns = ['api', 'worker', 'ferretdb', 'temporal', 'bench'];
  const cpuRow = (name: string, cpu: CpuMs) =>
    row(
      name,
      cpuColumns.map((p) => (p in cpu ? ms(cpu[p]) : '-')),
    );
  const milestoneRows = (name: string, x: Milestones) =>
    x.map(({ name: step, medianMs }, i) =>
      row(`  ${(i ? '' : name).padEnd(6)}${step}`, [ms(medianMs), `+${ms(medianMs - (x[i - 1]?.medianMs ?? 0))}`], 50),
    );
  const memoryRow = (name: string, x: MemoryUse) => row(name, [x.peakRssMiB, x.rssMiB].map(int));
  const rounds = t.nudge.rounds.map((_, i) => `round ${i + 1}`);

  return [
    '',
    'Nudge journeys benchmark',
    `  machine    ${machine.cpu}, ${machine.cores} cores, node ${machine.node}, ` +
      `load average ${machine.loadAverage.toFixed(1)} at start`,
    `  stack      ${machine.stack}, JOURNEY_WAIT_SCALE=${s.journeyWaitScale}`,
    '',
    `Event → email accepted by SMTP: ${s.leads} distinct leads at ${s.rate}/s, open loop ` +
      `(after ${s.warmupLeads} warm-up leads on each path)`,
    row('  (ms)', ['p50', 'p99', 'mean', 'max', 'errors']),
    latencyRow('  Nudge form_abandon', l.nudge),
    latencyRow('  raw workflow + activity', l.raw),
    latencyRow(`  nodemailer alone (${l.floor.count})`, l.floor),
    `  Nudge / raw             p50 ${l.ratioP50.toFixed(1)}×, p99 ${l.ratioP99.toFixed(1)}×, ` +
      `mean ${l.ratioMean.toFixed(1)}×; p50 above the SMTP floor ${l.ratioP50AboveFloor.toFixed(1)}×`,
    `  email on the wire       Nudge ${int(l.nudge.emailBytes)} B, raw ${int(l.raw.emailBytes)} B (mean)`,
    '',
    row('Where the time went (median ms since due)', ['total', 'step'], 50),
    ...milestoneRows('Nudge', l.nudge.milestones),
    ...milestoneRows('raw', l.raw.milestones),
    `  Temporal history events per email: Nudge ${int(l.nudge.historyEvents)} (lead workflow + journey run, ` +
      `whole journey), raw ${int(l.raw.historyEvents)}`,
    '',
    row('CPU per email (ms)', ['API', 'worker', 'FerretDB', 'Temporal', 'bench']),
    cpuRow('  Nudge form_abandon', l.nudge.cpuMsPerEmail),
    cpuRow('  raw workflow + activity', l.raw.cpuMsPerEmail),
    '',
    `Journey signals: ${s.signals} form_abandon of distinct leads per round, ${s.signalBatch} per POST /v1/batch ` +
      `over ${s.signalClients} clients; relay and raw loop ${s.relayConcurrency} at once; worker stopped`,
    row('  (signals/s)', [...rounds, 'median']),
    row('  Nudge HTTP → outbox empty', [...t.nudge.rounds.map(int), int(t.nudge.median)]),
    row('  raw signalWithStart', [...t.raw.rounds.map(int), int(t.raw.median)]),
    `  Nudge / raw             ${(t.ratio * 100).toFixed(0)} %`,
    row('  Nudge HTTP answered (ev/s)', (t.nudge.httpEventsPerSecond ?? []).map(int)),
    row('  Nudge relay trailed by (ms)', (t.nudge.drainTailMs ?? []).map(int)),
    '',
    row('CPU per 1,000 signals (ms)', ['API', 'worker', 'FerretDB', 'Temporal', 'bench']),
    cpuRow('  Nudge HTTP → Temporal', t.nudge.cpuMsPerThousandSignals),
    cpuRow('  raw signalWithStart', t.raw.cpuMsPerThousandSignals),
    '',
    row('Memory (MiB)', ['peak RSS', 'RSS']),
    memoryRow('  API idle after start-up', m.api.idle),
    memoryRow('  API after the run', m.api.afterRun),
    memoryRow('  worker idle after start-up', m.worker.idle),
    memoryRow('  worker after the emails', m.worker.afterEmails),
    '',
    'Checks',
    ...results.checks.map((check) => `  ${check.ok ? 'ok    ' : 'FAILED'}  ${check.name}: ${check.detail}`),
    '',
  ].join('\n');
}

/** A table row: the label, then right-aligned cells. */
const row = (label: string, cells: string[], width = 28) =>
  label.padEnd(width) + cells.map((cell) => cell.padStart(10)).join('');

const int = (value: number) => Math.round(value).toLocaleString('en-US');
const ms = (value: number) => (Number.isFinite(value) ? value.toFixed(1) : '-');
