import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { readdir, rm, writeFile } from 'node:fs/promises';
import { AddressInfo, createConnection, createServer, Socket } from 'node:net';
import { join } from 'node:path';
import { localBin, repoRoot, run } from '../../tools/stack/run';
import type { trackingClient } from './tracking';
import { keepOutputTail } from './output-tail';

/** Helpers of the fault tests (test/e2e/smtp-outage, worker-crash): a journey run, and a worker to kill. */

type Client = ReturnType<typeof trackingClient>;

export const EXAMPLE_JOURNEY = 'form-abandonment-recovery';

export interface Execution {
  runId: string;
  leadId: string;
  status: 'running' | 'completed' | 'exited' | 'failed';
  steps: Array<{ stepId: string; type: string; result: string; detail?: Record<string, unknown> }>;
}

/**
 * A new lead with an email address abandoning the quote form at 40 %: it enters the seeded
 * example journey. Ids are random: lead workflow ids are global on the shared Temporal server.
 */
export async function abandonQuoteForm(client: Client, prefix: string): Promise<{ userId: string; email: string }> {
  const userId = `${prefix}-${randomUUID()}`;
  const email = `${userId}@example.com`;
  const identify = await client.post('/v1/identify', { userId, traits: { email }, messageId: randomUUID() });
  const abandon = await client.post('/v1/track', {
    userId,
    event: 'form_abandon',
    properties: { formId: 'quote', formCompletion: 40 },
    messageId: randomUUID(),
  });
  if (identify.status !== 200 || abandon.status !== 200) {
    throw new Error(`events refused: ${identify.status} ${abandon.status} ${JSON.stringify(abandon.body)}`);
  }
  return { userId, email };
}

/** The lead's run of the example journey, with its step log; undefined until it has started. */
export async function runOf(client: Client, userId: string): Promise<Execution | undefined> {
  const page = await client.get<{ executions?: Execution[] }>(
    `/v1/journeys/${EXAMPLE_JOURNEY}/executions?leadId=${userId}`,
  );
  if (page.status !== 200) throw new Error(`executions answered ${page.status}: ${JSON.stringify(page.body)}`);
  return page.body.executions?.[0];
}

/**
 * Polls `check` until it returns something other than undefined/false/null and returns that;
 * `alive` throws to stop early (a worker process that died). Fails with `what` after `timeoutMs`.
 */
export async function until<T>(
  what: string,
  check: () => Promise<T | undefined | null | false>,
  { timeoutMs = 60_000, intervalMs = 100, alive }: { timeoutMs?: number; intervalMs?: number; alive?: () => void } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    alive?.();
    const value = await check();
    if (value !== undefined && value !== null && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what} after ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

const EXIT_WITH_PARENT = 'exit-with-parent.js';
/**
 * Preloaded into each worker process: it is in a process group of its own, so a Ctrl-C or a
 * killed jest would leave it running; the IPC channel to us closing ends it.
 */
const exitWithParent = `process.once('disconnect', () => process.exit(1));\nprocess.channel?.unref();\n`;

/**
 * The app compiled as `npm run build` compiles it (tsconfig.build.json), into a folder of
 * its own under .test-build/ (dist/ belongs to other runs). Emit only (`--noCheck`: same
 * output, a third of the time; `npm test` type-checks on its own), with the incremental
 * build info beside it rather than in dist/.
 */
export async function buildApp(): Promise<{ dir: string; remove: () => Promise<void> }> {
  const root = join(repoRoot, '.test-build');
  await removeAbandonedBuilds(root);
  const dir = join(root, `${process.pid}-${randomBytes(4).toString('hex')}`);
  const args = [
    '-p',
    'tsconfig.build.json',
    '--outDir',
    dir,
    '--tsBuildInfoFile',
    join(dir, '.tsbuildinfo'),
    '--noCheck',
  ];
  try {
    await run(localBin('tsc'), args, { cwd: repoRoot });
    await writeFile(join(dir, EXIT_WITH_PARENT), exitWithParent);
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** Builds left by test processes that died before their afterAll (ESLint would trip over them). */
async function removeAbandonedBuilds(root: string): Promise<void> {
  const entries = await readdir(root).catch(() => [] as string[]);
  for (const entry of entries) {
    const pid = Number(/^(\d+)-/.exec(entry)?.[1]);
    if (pid && !isAlive(pid)) await rm(join(root, entry), { recursive: true, force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface WorkerProcess {
  readonly pid: number;
  /** What it printed (the last lines), for failure messages. */
  output(): string;
  /** Throws, with its output, if the process has exited. */
  assertAlive(): void;
  /** SIGKILL to its whole process group, as a crashed host or the OOM killer would; resolves once it is gone. */
  kill(): Promise<void>;
  /** SIGTERM (the worker drains), then SIGKILL if it is still up after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * `node <build>/src/worker.js`, as `npm run start:worker` runs it, in a process group of
 * its own, with only PATH and HOME of our environment plus `env`; it exits if we do.
 */
export function spawnWorker(buildDir: string, env: Record<string, string>): WorkerProcess {
  const args = ['--require', join(buildDir, EXIT_WITH_PARENT), join(buildDir, 'src', 'worker.js')];
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: repoRoot,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    detached: true,
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error('could not start the worker process');
  const output = keepOutputTail(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const running = () => child.exitCode === null && child.signalCode === null;
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(-pid, name);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error; // already gone
    }
  };
  return {
    pid,
    output,
    assertAlive() {
      if (!running()) {
        throw new Error(`worker ${pid} exited (${child.exitCode ?? child.signalCode}):\n${output()}`);
      }
    },
    async kill() {
      signal('SIGKILL');
      await exited;
    },
    async stop(graceMs = 15_000) {
      if (!running()) return;
      signal('SIGTERM');
      const timer = setTimeout(() => signal('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

export interface HangingRelay {
  port: number;
  /** Connections accepted while hung and still open. */
  readonly held: number;
  /** From now on, accepts connections and says nothing, like a relay stuck before its greeting. */
  hang(): void;
  /** Resets the connections it held and forwards new ones again. */
  recover(): void;
  close(): Promise<void>;
}

/**
 * A TCP forwarder to `targetPort` (an SMTP sink) that can hang: a send in flight through it
 * stays in flight, for as long as the test needs, without reaching the sink.
 */
export async function startHangingRelay(targetPort: number): Promise<HangingRelay> {
  let hung = false;
  const held = new Set<Socket>();
  const open = new Set<Socket>();
  const track = (socket: Socket) => {
    open.add(socket);
    socket.on('error', () => undefined);
    socket.once('close', () => {
      open.delete(socket);
      held.delete(socket);
    });
  };
  const server = createServer((client) => {
    track(client);
    if (hung) {
      held.add(client);
      return;
    }
    const upstream = createConnection(targetPort, '127.0.0.1');
    track(upstream);
    upstream.once('close', () => client.destroy());
    client.once('close', () => upstream.destroy());
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  return {
    port: (server.address() as AddressInfo).port,
    get held() {
      return held.size;
    },
    hang() {
      hung = true;
    },
    recover() {
      hung = false;
      for (const socket of held) socket.destroy();
    },
    close() {
      for (const socket of open) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
