import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '../../tools/stack/run';
import type { FromProcess, Job, ToProcess } from './contending-process';
import { keepOutputTail } from './output-tail';

export type { Job } from './contending-process';

/** A process of contending-process.ts: the app's services in a process of their own. */
export interface Contender {
  readonly pid: number;
  /** Runs `job` there; its calls' results, in the job's order. */
  run<R>(job: Job): Promise<R[]>;
  /** What it printed (the last lines), for failure messages. */
  output(): string;
}

const SCRIPT = join(repoRoot, 'test', 'support', 'contending-process.ts');
const READY_TIMEOUT_MS = 90_000;

/**
 * `count` processes, each building the real services of `buildDir` (see `buildApp()`) with
 * only PATH and HOME of our environment plus `env`; resolves once every one is ready.
 */
export async function startContenders(
  buildDir: string,
  count: number,
  env: Record<string, string>,
): Promise<{ contenders: Contender[]; stop: () => Promise<void> }> {
  const started = Array.from({ length: count }, () => startOne(buildDir, env));
  const stop = () => Promise.all(started.map(({ stop }) => stop())).then(() => undefined);
  try {
    await Promise.all(started.map(({ ready }) => ready));
  } catch (error) {
    await stop();
    throw error;
  }
  return { contenders: started.map(({ contender }) => contender), stop };
}

function startOne(buildDir: string, env: Record<string, string>) {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', SCRIPT, buildDir], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error('could not start a contending process');
  const output = keepOutputTail(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const pending = new Map<number, { resolve: (results: unknown[]) => void; reject: (error: Error) => void }>();
  let nextId = 0;
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`process ${pid} not ready in time:\n${output()}`)),
      READY_TIMEOUT_MS,
    );
    child.on('message', (message: FromProcess) => {
      if ('ready' in message) {
        clearTimeout(timer);
        resolve();
      } else if ('error' in message) {
        pending.get(message.id)?.reject(new Error(`in process ${pid}: ${message.error}`));
      } else {
        pending.get(message.id)?.resolve(message.results);
      }
    });
    void exited.then(() => {
      clearTimeout(timer);
      const gone = new Error(`process ${pid} exited (${child.exitCode ?? child.signalCode}):\n${output()}`);
      reject(gone);
      for (const { reject: fail } of pending.values()) fail(gone);
    });
  });

  const contender: Contender = {
    pid,
    output,
    run<R>(job: Job) {
      const id = nextId++;
      return new Promise<R[]>((resolve, reject) => {
        pending.set(id, { resolve: (results) => resolve(results as R[]), reject });
        child.send({ id, job } satisfies ToProcess);
      }).finally(() => pending.delete(id));
    },
  };
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    // Disconnecting ends it (it closes its connection first); a process that hangs is killed.
    if (child.connected) child.disconnect();
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };
  return { contender, ready, stop };
}
