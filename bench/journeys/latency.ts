import { Client } from '@temporalio/client';
import { mongo } from 'mongoose';
import { createTransport } from 'nodemailer';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { waitFor } from '../../tools/stack/processes';
import { IngestionClient } from '../lib/clients';
import { runClosedLoop } from '../lib/load';
import { Check } from '../lib/report';
import { mean, summarizeLatencies } from '../lib/stats';
import { baselineEmailOf, renderRecoveryEmail, startBaselineEmail, startBaselineWorker } from './baseline';
import { baselineBreakdown, Breakdown, nudgeBreakdown, TimedEmail } from './breakdown';
import { cpuPer, CpuMs, Pids, withCpu } from './cpu';
import { batchBody, benchLead, BenchLead, chunks, formAbandonMessage, identifyMessage } from './leads';
import { EmailLatency, Settings, SmtpFloor } from './report';
import { TimedSmtpSink } from './smtp';

/** Emails sent straight from nodemailer to measure what the SMTP leg alone costs. */
const FLOOR_EMAILS = 30;

/** What phase 1 works with. */
export interface LatencyContext {
  api: IngestionClient;
  client: Client;
  sink: TimedSmtpSink;
  db: mongo.Db;
  temporalAddress: string;
  /** Processes whose CPU time is counted. */
  pids: Pids;
  log: (line: string) => void;
}

/**
 * Phase 1, event → email accepted, for both paths at the same open-loop rate, each after
 * its own warm-up: Nudge (identify, then form_abandon → matcher → outbox → relay → lead
 * workflow → journey run → sendEmail), and the raw baseline (workflow start → one activity
 * → nodemailer). Every lead is distinct: the journey's cooldown and the email cap are per lead.
 */
export async function measureEmailLatency(
  t: LatencyContext,
  s: Settings,
): Promise<{ nudge: EmailLatency; raw: EmailLatency; floor: SmtpFloor; checks: Check[] }> {
  const warm = Array.from({ length: s.warmupLeads }, (_, i) => benchLead(`warm-${i}`));
  const timed = Array.from({ length: s.leads }, (_, i) => benchLead(`lead-${i}`));
  const nudgeLeads = [...warm, ...timed];

  t.log(`identifying ${nudgeLeads.length} leads (traits.email)…`);
  const identifyBatches = chunks(nudgeLeads, 50).map((leads) => leads.map(identifyMessage));
  await runClosedLoop(identifyBatches, 4, (batch) => t.api.postBatch(batchBody(batch), batch.length));

  const nudgeLead = (lead: BenchLead): EmailJob => ({
    id: lead.leadId,
    email: lead.email,
    send: () => t.api.postTrack(JSON.stringify(formAbandonMessage(lead.userId))),
  });
  t.log(`Nudge warm-up: ${warm.length} leads at ${s.rate}/s…`);
  const nudgeWarmup = await runEmails(t, s, warm.map(nudgeLead));

  t.log('starting the baseline worker in the bench process (bundles its workflow)…');
  const email = await renderRecoveryEmail(timed[0].leadId, timed[0].email);
  const worker = await startBaselineWorker(t.temporalAddress, t.sink.url, email);
  const rawLead = (name: string): EmailJob => {
    const { workflowId, to } = baselineEmailOf(name);
    return { id: workflowId, email: to, send: () => startBaselineEmail(t.client, workflowId, to) };
  };
  let rawWarmup: EmailRun;
  let raw: { result: EmailRun; cpuMs: CpuMs };
  try {
    t.log(`baseline warm-up: ${s.warmupLeads} emails at ${s.rate}/s…`);
    rawWarmup = await runEmails(
      t,
      s,
      warm.map((_, i) => rawLead(`warm-${i}`)),
    );
    t.log(`baseline: ${s.leads} workflow starts → emails at ${s.rate}/s, open loop…`);
    raw = await withCpu(t.pids, () =>
      runEmails(
        t,
        s,
        timed.map((_, i) => rawLead(`lead-${i}`)),
      ),
    );
  } finally {
    await worker.stop();
  }

  const floorCount = Math.min(s.leads, FLOOR_EMAILS);
  t.log(`SMTP floor: ${floorCount} emails straight from nodemailer at ${s.rate}/s…`);
  const transport = createTransport(t.sink.url);
  const floor = await runEmails(
    t,
    s,
    Array.from({ length: floorCount }, (_, i): EmailJob => {
      const to = `floor-${i}@floor.bench.example`;
      return { id: to, email: to, send: async () => void (await transport.sendMail({ ...email, to })) };
    }),
  ).finally(() => transport.close());

  t.log(`Nudge: ${s.leads} form_abandon → emails at ${s.rate}/s, open loop…`);
  const nudge = await withCpu(t.pids, () => runEmails(t, s, timed.map(nudgeLead)));

  t.log('waiting for every journey run to end, then for stray second emails…');
  const runs = t.db.collection('journey_runs');
  await waitFor('every journey run to end', async () => (await runs.countDocuments({ status: 'running' })) === 0, {
    timeoutMs: s.emailTimeoutMs,
  }).catch(() => undefined); // the check below reports it
  await sleep(2_000);

  t.log('reading the workflow histories of the timed emails…');
  const [nudgeSteps, rawSteps] = await Promise.all([
    nudgeBreakdown(t.client, nudge.result.emails),
    baselineBreakdown(t.client, raw.result.emails),
  ]);

  const rawAddresses = [...rawWarmup.addresses, ...raw.result.addresses];
  const sent = nudgeLeads.length + rawAddresses.length + floor.addresses.length;
  const completed = await runs.countDocuments({ status: 'completed' });
  const checks: Check[] = [
    emailCheck(
      'Nudge: every lead got its recovery email, once',
      t.sink,
      nudgeLeads.map((l) => l.email),
    ),
    emailCheck('baseline: every workflow sent its email, once', t.sink, rawAddresses),
    {
      name: 'every journey run completed',
      ok: completed === nudgeLeads.length,
      detail: `${completed} of ${nudgeLeads.length} completed (${await runs.countDocuments()} runs)`,
    },
    {
      name: 'no email the bench did not cause',
      ok: t.sink.total === sent,
      detail: `${t.sink.total} received, ${sent} expected`,
    },
    errorsCheck('Nudge form_abandon → email', [...nudgeWarmup.errors, ...nudge.result.errors]),
    errorsCheck('baseline start → email', [...rawWarmup.errors, ...raw.result.errors]),
    errorsCheck('nodemailer alone (SMTP floor)', floor.errors),
  ];
  return {
    nudge: figures(nudge.result, nudge.cpuMs, nudgeSteps),
    raw: figures(raw.result, raw.cpuMs, rawSteps),
    floor: { ...summarizeLatencies(floor.latenciesMs), mean: mean(floor.latenciesMs) },
    checks,
  };
}

/** One email to cause: `send` makes the request, after which `email` should receive it. */
interface EmailJob {
  /** The Nudge lead id, or the baseline's workflow id. */
  id: string;
  email: string;
  send: () => Promise<void>;
}

interface EmailRun {
  latenciesMs: number[];
  emails: TimedEmail[];
  bytes: number[];
  errors: string[];
  /** Every recipient this run addressed. */
  addresses: string[];
}

/**
 * Open loop: each job's request leaves on schedule whether or not earlier emails have
 * arrived, and its latency runs from when it was due to when the sink accepted its email,
 * so a stall shows in every email scheduled during it (no coordinated omission).
 */
async function runEmails(t: LatencyContext, s: Settings, jobs: readonly EmailJob[]): Promise<EmailRun> {
  const run: EmailRun = { latenciesMs: [], emails: [], bytes: [], errors: [], addresses: jobs.map((job) => job.email) };
  const intervalMs = 1000 / s.rate;
  const wall = (at: number) => performance.timeOrigin + at;
  const inFlight: Promise<void>[] = [];
  const start = performance.now();
  for (const [i, { id, email, send }] of jobs.entries()) {
    const due = start + i * intervalMs;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    inFlight.push(
      (async () => {
        await send();
        const answered = performance.now();
        const arrival = await t.sink.firstFor(email, s.emailTimeoutMs);
        run.latenciesMs.push(arrival.at - due);
        run.bytes.push(arrival.bytes);
        run.emails.push({ id, dueWall: wall(due), answeredWall: wall(answered), acceptedWall: wall(arrival.at) });
      })().catch((error: unknown) => void run.errors.push(error instanceof Error ? error.message : String(error))),
    );
  }
  await Promise.all(inFlight);
  return run;
}

function figures(run: EmailRun, cpuMs: CpuMs, { milestones, historyEvents }: Breakdown): EmailLatency {
  return {
    ...summarizeLatencies(run.latenciesMs),
    mean: mean(run.latenciesMs),
    errors: run.errors.length,
    errorMessages: [...new Set(run.errors)].slice(0, 3),
    emailBytes: mean(run.bytes),
    cpuMsPerEmail: cpuPer([{ cpuMs, items: run.latenciesMs.length }], 1),
    milestones,
    historyEvents,
  };
}

function emailCheck(name: string, sink: TimedSmtpSink, addresses: string[]): Check {
  const { missing, repeated } = sink.tally(addresses);
  const example = (list: string[]) => (list.length ? ` (e.g. ${list[0]})` : '');
  return {
    name,
    ok: missing.length === 0 && repeated.length === 0,
    detail:
      `${addresses.length} recipients, ${missing.length} missing${example(missing)}, ` +
      `${repeated.length} sent more than once${example(repeated)}`,
  };
}

function errorsCheck(name: string, errors: string[]): Check {
  return {
    name: `${name}: no request failed, no email late`,
    ok: errors.length === 0,
    detail: errors.length ? `${errors.length} failed, e.g. ${[...new Set(errors)].slice(0, 3).join(' | ')}` : 'none',
  };
}
