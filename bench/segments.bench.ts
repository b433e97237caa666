/**
 * `npm run bench:segments`: how long a full recalculation of a criteria segment takes, against
 * one raw cursor pass over the same events, and what real-time evaluation costs per event.
 *
 * Starts FerretDB (the embedded default, fresh data directory) and the API, seeds `BENCH_LEADS`
 * leads and `BENCH_EVENTS` events straight into the database (20 % orders with a revenue, the
 * rest product views, over 60 days; the leads with their counts per type, as ingestion keeps
 * them, and a plan trait), creates a behavioral segment "orders worth 200 or more in
 * the last 30 days", then, in one run:
 *  - raw: one driver cursor over the events the criteria reach (the backfill's own query),
 *    summing revenue per lead by hand: the least any correct recalculation must read;
 *  - recalculation: the `segment` workflow's activities in order (plan, backfill, every lead
 *    evaluated in pages, finish), run in this process through Nest, as the worker runs them;
 *  - meanwhile, single `POST /v1/track` events go to the API, new and existing leads, and their
 *    latency and errors are recorded: ingestion must keep answering while a recalculation runs;
 *  - real-time: one new order for each of `BENCH_REALTIME` existing leads, evaluated one at a
 *    time, against the raw floor for it (a read and a write of the lead's membership document);
 *  - preview of "pro plan and 3 orders or more, ever": one query over the leads' rollups, against
 *    the same count by hand through the driver, and against every lead evaluated over events.
 * Checks: the members found equal the raw pass's count, every tracked event got 200, the
 * three previews count the same leads.
 *
 * Settings: BENCH_LEADS (default 100000), BENCH_EVENTS (1000000), BENCH_REALTIME (1000),
 * BENCH_TRACK_RATE single events per second during the recalculation (20).
 */
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { mongo } from 'mongoose';
import type { Criteria } from '../src/segments/criteria/segment-criteria';
import type { SegmentEvaluator } from '../src/segments/evaluation/segment-evaluator';
import type { SegmentPreview } from '../src/segments/preview/segment-preview';
import type { SegmentRecalculator } from '../src/segments/recalculation/segment-recalculator';
import type { SegmentsService } from '../src/segments/segments.service';
import { ProcessGroup } from '../tools/stack/processes';
import { repoRoot } from '../tools/stack/run';
import { runBench, startBench } from './lib/bench-main';
import { machineInfo } from './lib/machine';
import { positiveSetting } from './lib/settings';
import { startBenchStack } from './lib/stack';
import { LatencySummary, summarizeLatencies } from './lib/stats';
import { WORKSPACE_ID, WRITE_KEY } from './lib/workload';

const RESULTS_FILE = join(__dirname, 'results', 'segments.json');
const DAY = 86_400_000;
const THRESHOLD = 200;
const SEGMENT_ID = 'bench-big-spenders';
const criteria: Criteria = {
  aggregate: {
    event: 'order_completed',
    fn: 'sum',
    property: 'revenue',
    operator: 'greater_than_or_equal',
    value: THRESHOLD,
    window: { inLast: { amount: 30, unit: 'days' } },
  },
};
const log = (line: string) => console.log(`[bench:segments] ${line}`);

interface Results {
  machine: ReturnType<typeof machineInfo>;
  leads: number;
  events: number;
  seedMs: number;
  raw: { ms: number; events: number; members: number };
  recalculation: { ms: number; backfillMs: number; backfilledEvents: number; evaluated: number; members: number };
  ratio: number;
  ingestionMeanwhile: LatencySummary & { errors: number };
  realtime: { events: number; msPerEvent: number; rawMsPerEvent: number; ratio: number };
  preview: { rollupsMs: number; eventsMs: number; rawMs: number; count: number; eventsCount: number; rawCount: number };
}

/** Deterministic numbers, so every run seeds the same data. */
function random(seed: number) {
  let state = seed >>> 0;
  return () => (state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0) / 2 ** 32;
}

const leadId = (i: number) => `bench-lead-${String(i).padStart(7, '0')}`;

/** Events first, then the leads with the rollups ingestion would have written for them (counts per type). */
async function seed(db: mongo.Db, leads: number, events: number, now: number) {
  const counts = Array.from({ length: leads }, () => ({ order_completed: 0, product_viewed: 0 }));
  const next = random(42);
  for (let i = 0; i < events; i += 5_000) {
    const docs = Array.from({ length: Math.min(5_000, events - i) }, (_, k) => {
      const order = next() < 0.2;
      const timestamp = new Date(now - Math.floor(next() * 60 * DAY));
      const lead = Math.floor(next() * leads);
      const eventType = order ? 'order_completed' : 'product_viewed';
      counts[lead][eventType]++;
      return {
        _id: `bench:${i + k}` as never,
        workspaceId: WORKSPACE_ID,
        sourceId: 'bench',
        messageId: String(i + k),
        leadId: leadId(lead),
        type: 'track',
        eventType,
        timestamp,
        receivedAt: timestamp,
        properties: order
          ? { orderId: `o-${i + k}`, revenue: Math.round(next() * 200) }
          : { productId: `p-${Math.floor(next() * 500)}` },
      };
    });
    await db.collection('events').insertMany(docs, { ordered: false });
    if ((i / 5_000) % 40 === 0) log(`seeded ${(i + docs.length).toLocaleString('en-US')} events…`);
  }
  const createdAt = new Date(now - 90 * DAY);
  for (let i = 0; i < leads; i += 5_000) {
    const docs = Array.from({ length: Math.min(5_000, leads - i) }, (_, k) => ({
      _id: leadId(i + k) as never,
      workspaceId: WORKSPACE_ID,
      traits: { plan: (i + k) % 3 ? 'free' : 'pro' },
      countsByType: counts[i + k],
      createdAt,
      updatedAt: createdAt,
    }));
    await db.collection('leads').insertMany(docs, { ordered: false });
  }
}

/** Previewed both ways: "pro plan, 3 orders or more, ever" (rollups) against every lead evaluated over events. */
const previewCriteria: Criteria = {
  and: [
    { trait: { field: 'plan', operator: 'equals', value: 'pro' } },
    { performed: { event: 'order_completed', minCount: 3 } },
  ],
};

/** The preview's baseline: the one query a hand-written count of those leads would send. */
async function rawPreview(db: mongo.Db) {
  const started = performance.now();
  const count = await db.collection('leads').countDocuments({
    workspaceId: WORKSPACE_ID,
    'traits.plan': 'pro',
    'countsByType.order_completed': { $gte: 3 },
  });
  return { ms: performance.now() - started, count };
}

/** The baseline: the backfill's query through the driver, revenue summed per lead by hand. */
async function rawPass(db: mongo.Db, at: Date) {
  const started = performance.now();
  const sums = new Map<string, number>();
  let read = 0;
  const cursor = db
    .collection('events')
    .find(
      {
        workspaceId: WORKSPACE_ID,
        eventType: { $in: ['order_completed'] },
        timestamp: { $gte: new Date(at.getTime() - 30 * DAY) },
      },
      { projection: { leadId: 1, eventType: 1, timestamp: 1, 'properties.revenue': 1 } },
    )
    .batchSize(5_000);
  for await (const doc of cursor) {
    read++;
    if (doc.timestamp > at) continue;
    sums.set(doc.leadId, (sums.get(doc.leadId) ?? 0) + (doc.properties?.revenue ?? 0));
  }
  const members = [...sums.values()].filter((sum) => sum >= THRESHOLD).length;
  return { ms: performance.now() - started, events: read, members };
}

/** Single events to the API at `rate`/s until stopped: half new leads, half leads tracked before. */
function trackMeanwhile(apiUrl: string, rate: number) {
  const latencies: number[] = [];
  let errors = 0;
  let stopped = false;
  const auth = `Basic ${Buffer.from(`${WRITE_KEY}:`).toString('base64')}`;
  const running = (async () => {
    for (let i = 0; !stopped; i++) {
      const userId = i % 2 ? `meanwhile-${i}` : `meanwhile-${i % 100}`;
      const sent = performance.now();
      void fetch(`${apiUrl}/v1/track`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: auth },
        // Product views: evaluated in real time like any event, without changing who is a member.
        body: JSON.stringify({ userId, event: 'product_viewed', properties: { productId: `m-${i}` } }),
        signal: AbortSignal.timeout(30_000),
      })
        .then(async (reply) => {
          await reply.arrayBuffer();
          if (reply.status === 200) latencies.push(performance.now() - sent);
          else errors++;
        })
        .catch(() => errors++);
      await sleep(1000 / rate);
    }
  })();
  return async () => {
    stopped = true;
    await running;
    await sleep(2_000); // the last requests' replies
    return { ...summarizeLatencies(latencies), errors };
  };
}

async function benchmark(group: ProcessGroup, workDir: string): Promise<Results> {
  const leads = positiveSetting('BENCH_LEADS', 100_000);
  const events = positiveSetting('BENCH_EVENTS', 1_000_000);
  const realtimeEvents = positiveSetting('BENCH_REALTIME', 1_000);
  const trackRate = positiveSetting('BENCH_TRACK_RATE', 20);
  const machine = machineInfo(loadavg()[0]);
  const stack = await startBenchStack(group, workDir, log);
  const client = await new mongo.MongoClient(stack.mongodbUri).connect();
  const db = client.db();
  try {
    const now = Date.now();
    log(`seeding ${leads.toLocaleString('en-US')} leads and ${events.toLocaleString('en-US')} events…`);
    let started = performance.now();
    await seed(db, leads, events, now);
    const seedMs = performance.now() - started;

    // The worker's side, in this process: Nest from the build, as `npm run worker` loads it.
    Object.assign(process.env, {
      MONGODB_URI: stack.mongodbUri,
      TEMPORAL_ADDRESS: '127.0.0.1:1', // nothing there: the recalculation's steps run here, not on Temporal
      LOG_LEVEL: 'error',
      NODE_ENV: 'development',
    });
    // From the build: tsx cannot emit the decorator metadata Nest injects by. Types from src/.
    const dist = async (path: string) => (await import(join(repoRoot, 'dist', 'src', path))) as Record<string, never>;
    const { NestFactory } = await import('@nestjs/core');
    const app = await NestFactory.createApplicationContext((await dist('app.module.js')).AppModule, { logger: false });
    try {
      const segments = app.get<SegmentsService>((await dist('segments/segments.service.js')).SegmentsService);
      const recalculator = app.get<SegmentRecalculator>(
        (await dist('segments/recalculation/segment-recalculator.js')).SegmentRecalculator,
      );
      const evaluator = app.get<SegmentEvaluator>(
        (await dist('segments/evaluation/segment-evaluator.js')).SegmentEvaluator,
      );
      const segment = { id: SEGMENT_ID, name: 'Bench big spenders', criteria };
      await segments.create(WORKSPACE_ID, {
        ...segment,
        type: 'behavioral',
        status: 'active',
        isPublic: false,
        tags: [],
      });
      const ref = { workspaceId: WORKSPACE_ID, segmentId: SEGMENT_ID };
      const at = new Date();

      log('raw cursor pass…');
      const raw = await rawPass(db, at);

      log('full recalculation, ingestion running meanwhile…');
      const stopTracking = trackMeanwhile(stack.apiUrl, trackRate);
      started = performance.now();
      const plan = await recalculator.plan(ref);
      const backfill = await recalculator.backfill(ref, at, plan.backfillKey!, () => {});
      const backfillMs = performance.now() - started;
      let evaluated = 0;
      let after: string | undefined;
      do {
        const page = await recalculator.reevaluate(ref, at, after, 20_000, () => {});
        evaluated += page.evaluated;
        after = page.after;
      } while (after);
      await recalculator.finish(ref, at, new Date(), { evaluated, entered: 0, exited: 0, backfilledEvents: 0 });
      const recalculationMs = performance.now() - started;
      const ingestionMeanwhile = await stopTracking();
      const members = await db
        .collection('segment_members')
        .countDocuments({ workspaceId: WORKSPACE_ID, segmentId: SEGMENT_ID, member: true });

      log('real-time evaluation, one event at a time…');
      const realtimeAt = new Date();
      started = performance.now();
      for (let i = 0; i < realtimeEvents; i++) {
        const event = {
          id: `rt-${i}`,
          type: 'order_completed',
          timestamp: realtimeAt,
          properties: { orderId: `rt-${i}`, revenue: 10 },
        };
        await evaluator.evaluate(WORKSPACE_ID, segment, [{ leadId: leadId(i), events: [event] }], realtimeAt);
      }
      const msPerEvent = (performance.now() - started) / realtimeEvents;
      const memberDocs = db.collection('segment_members');
      started = performance.now();
      for (let i = 0; i < realtimeEvents; i++) {
        const _id = `${WORKSPACE_ID}:${SEGMENT_ID}:${leadId(realtimeEvents + i)}` as never;
        await memberDocs.findOne({ _id });
        await memberDocs.updateOne({ _id }, { $set: { benchTouchedAt: realtimeAt } }, { upsert: true });
      }
      const rawMsPerEvent = (performance.now() - started) / realtimeEvents;

      log('preview: one query over the rollups, and every lead evaluated over events…');
      const previews = app.get<SegmentPreview>((await dist('segments/preview/segment-preview.js')).SegmentPreview);
      const rawCount = await rawPreview(db);
      const byRollups = await previews.preview(WORKSPACE_ID, previewCriteria, 10);
      const byEvents = await previews.byEvents(WORKSPACE_ID, previewCriteria, 10);
      const preview = {
        rollupsMs: byRollups.durationMs,
        eventsMs: byEvents.durationMs,
        rawMs: rawCount.ms,
        count: byRollups.via === 'rollups' ? byRollups.count : -1,
        eventsCount: byEvents.count,
        rawCount: rawCount.count,
      };

      return {
        machine,
        leads,
        events,
        seedMs,
        raw,
        recalculation: { ms: recalculationMs, backfillMs, backfilledEvents: backfill.events, evaluated, members },
        ratio: recalculationMs / raw.ms,
        ingestionMeanwhile,
        realtime: { events: realtimeEvents, msPerEvent, rawMsPerEvent, ratio: msPerEvent / rawMsPerEvent },
        preview,
      };
    } finally {
      await app.close();
    }
  } finally {
    await client.close();
  }
}

const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const int = (value: number) => Math.round(value).toLocaleString('en-US');

function formatReport(r: Results): string {
  const m = r.ingestionMeanwhile;
  return [
    '',
    `Segment recalculation: ${int(r.leads)} leads, ${int(r.events)} events, FerretDB (embedded default)`,
    `  machine        ${r.machine.cpu}, ${r.machine.cores} cores, node ${r.machine.node}`,
    `  seed           ${s(r.seedMs)} (driver insertMany)`,
    `  raw pass       ${s(r.raw.ms)}: ${int(r.raw.events)} events read, ${int(r.raw.members)} leads at ≥ ${THRESHOLD}`,
    `  recalculation  ${s(r.recalculation.ms)} (backfill ${s(r.recalculation.backfillMs)}, ` +
      `${int(r.recalculation.backfilledEvents)} events; ${int(r.recalculation.evaluated)} leads evaluated), ` +
      `${int(r.recalculation.members)} members`,
    `  ratio          recalculation / raw pass = ${r.ratio.toFixed(1)}×`,
    `  ingestion      during it: ${int(m.count)} events 200, ${m.errors} errors, p50 ${int(m.p50)} ms, ` +
      `p99 ${int(m.p99)} ms, max ${int(m.max)} ms`,
    `  real time      ${r.realtime.msPerEvent.toFixed(2)} ms per event (${int(r.realtime.events)} events, one at a time) ` +
      `vs ${r.realtime.rawMsPerEvent.toFixed(2)} ms raw read + write = ${r.realtime.ratio.toFixed(1)}×`,
    `  preview        ${s(r.preview.rollupsMs)} over rollups vs ${s(r.preview.rawMs)} raw countDocuments = ` +
      `${(r.preview.rollupsMs / r.preview.rawMs).toFixed(1)}×; every lead over events ${s(r.preview.eventsMs)} ` +
      `(${(r.preview.eventsMs / r.preview.rollupsMs).toFixed(0)}× slower); ${int(r.preview.count)} leads`,
    '',
  ].join('\n');
}

const group = new ProcessGroup();
startBench('bench:segments', () =>
  runBench({
    name: 'bench:segments',
    resultsFile: RESULTS_FILE,
    groups: [group],
    tempDirPrefixes: ['nudge-bench-segments-'],
    run: ({ dirs: [workDir] }) => benchmark(group, workDir),
    report: formatReport,
    checks: (r) => [
      { name: 'members equal the raw pass', ok: r.recalculation.members === r.raw.members },
      { name: 'every event tracked meanwhile answered 200', ok: r.ingestionMeanwhile.errors === 0 },
      { name: 'every lead evaluated', ok: r.recalculation.evaluated >= r.leads },
      {
        name: 'preview over rollups, over events and raw count the same leads',
        ok: r.preview.count === r.preview.rawCount && r.preview.eventsCount === r.preview.rawCount,
      },
    ],
    tails: [[group, 'api']],
  }),
);
