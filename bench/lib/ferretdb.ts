import { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { mongo } from 'mongoose';
import { acceptsConnections, freePort, ProcessGroup, waitFor } from '../../tools/stack/processes';

/**
 * bench:ferretdb's handles on FerretDB: a server it can restart after a hang (on a new port,
 * same data), and driver calls bounded in time, which tell a hang from an error.
 */

export type Backend = { kind: 'sqlite'; dataDir: string } | { kind: 'postgresql'; url: string };

export class FerretDbServer {
  private child?: ChildProcess;
  private name = '';
  private port = 0;
  private starts = 0;

  /**
   * @param stopping names of processes being stopped on purpose, shared with the group's
   *   crash handler so it reports only exits nobody asked for
   */
  constructor(
    private readonly group: ProcessGroup,
    private readonly label: string,
    private readonly binary: string,
    private readonly backend: Backend,
    private readonly logDir: string,
    private readonly stopping: Set<string>,
  ) {}

  get uri(): string {
    return `mongodb://127.0.0.1:${this.port}/`;
  }

  /** Times the server was restarted (after a hang, or when it stopped answering). */
  get restarts(): number {
    return Math.max(0, this.starts - 1);
  }

  async start(): Promise<void> {
    this.port = await freePort();
    this.name = `${this.label}-${++this.starts}`;
    const backendArgs =
      this.backend.kind === 'sqlite'
        ? ['-handler', 'sqlite', '-sqlite-dir', this.backend.dataDir]
        : ['-handler', 'postgresql', '-postgresql-url', this.backend.url];
    const name = this.name;
    this.child = this.group.start(
      name,
      this.binary,
      ['-listen-addr', `127.0.0.1:${this.port}`, '-log-level', 'error', ...backendArgs],
      { output: { file: join(this.logDir, `${name}.log`) } },
    );
    const alive = () => this.group.assertRunning(name);
    await waitFor(name, () => acceptsConnections(this.port), { alive, timeoutMs: 30_000 });
    await waitFor(`${name} answering ping`, () => this.answersPing(), { alive, timeoutMs: 30_000 });
  }

  /** SIGTERM, then SIGKILL after 5 s: a hung FerretDB may not finish its shutdown. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    this.stopping.add(this.name);
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  /** Whether a new connection gets an answer to `ping` within `timeoutMs`. */
  async answersPing(database = 'admin', timeoutMs = 3_000): Promise<boolean> {
    const outcome = await bounded(this.uri, { timeoutMs }, (client) => client.db(database).command({ ping: 1 }));
    return outcome.kind === 'ok';
  }

  /**
   * After a hang: does a new connection still get answers, from the server (`ping`) and
   * from the database that hung (`findOne` on its collection)?
   */
  async diagnose(database: string, collection: string): Promise<string> {
    const ping = await this.answersPing();
    const find = await bounded(this.uri, { timeoutMs: 3_000 }, (client) =>
      client.db(database).collection(collection).findOne({}),
    );
    const findText = find.kind === 'ok' ? 'find ok' : find.kind === 'hang' ? 'find hangs' : 'find fails';
    return `then ping ${ping ? 'ok' : 'hangs'}, ${findText}`;
  }
}

export type Outcome<T> =
  { kind: 'ok'; value: T; ms: number } | { kind: 'hang'; ms: number } | { kind: 'error'; message: string; ms: number };

/**
 * Runs `work` on a client of its own whose socket gives up after `timeoutMs` without a reply,
 * with `deadlineMs` (default: `timeoutMs` + 2 s) on the whole, then force-closes the client.
 * `ms` counts from when the client is connected. No retries: a retry would hide a hang.
 */
export async function bounded<T>(
  uri: string,
  { timeoutMs, deadlineMs = timeoutMs + 2_000 }: { timeoutMs: number; deadlineMs?: number },
  work: (client: mongo.MongoClient) => Promise<T>,
): Promise<Outcome<T>> {
  const client = new mongo.MongoClient(uri, {
    directConnection: true,
    serverSelectionTimeoutMS: Math.min(timeoutMs, 5_000),
    connectTimeoutMS: Math.min(timeoutMs, 5_000),
    socketTimeoutMS: timeoutMs,
    retryReads: false,
    retryWrites: false,
    // Enough for every concurrent operation to have a connection of its own.
    maxPoolSize: 200,
  });
  let started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'deadline'>((resolve) => (timer = setTimeout(() => resolve('deadline'), deadlineMs)));
  const run = async () => {
    await client.connect();
    started = performance.now();
    return { value: await work(client) };
  };
  try {
    const result = await Promise.race([run(), deadline]);
    const ms = performance.now() - started;
    return result === 'deadline' ? { kind: 'hang', ms } : { kind: 'ok', value: result.value, ms };
  } catch (error) {
    const ms = performance.now() - started;
    return isTimeout(error) ? { kind: 'hang', ms } : { kind: 'error', message: describeError(error), ms };
  } finally {
    clearTimeout(timer);
    await Promise.race([client.close(true).catch(() => undefined), sleep(3_000)]);
  }
}

/** A reply that never came: the socket timed out, or the pool was cleared because one did. */
export function isTimeout(error: unknown): boolean {
  if (error instanceof mongo.MongoNetworkTimeoutError || error instanceof mongo.MongoServerSelectionError) return true;
  // Not exported by the driver: the error of operations queued on a pool a timeout cleared.
  return error instanceof Error && (error.name === 'MongoPoolClearedError' || /timed out/i.test(error.message));
}

export function describeError(error: unknown): string {
  if (error instanceof mongo.MongoServerError) return `${error.codeName ?? error.code}: ${error.message}`.slice(0, 200);
  return (error instanceof Error ? error.message : String(error)).slice(0, 200);
}
