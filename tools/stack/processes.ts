import { ChildProcess, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { createServer, Socket } from 'node:net';

export interface StartOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Where the output goes: a line-prefixed copy on our stdout, or a log file. */
  output: { prefix: string } | { file: string };
  /** The ports it listens on: the record of what we started names them. */
  ports?: number[];
}

/** Where a group writes down each process it starts (see StackRecord). */
export interface StartedProcesses {
  add(name: string, pid: number, ports?: number[]): void;
}

interface Managed {
  name: string;
  child: ChildProcess;
  exited: Promise<void>;
  tail: string[];
}

/**
 * The child processes of one stack: started in order, stopped in reverse, each given time
 * to shut down cleanly before it is killed. Remembers each one's last output lines so a
 * failure to start can say why.
 */
export class ProcessGroup {
  private readonly processes: Managed[] = [];
  private stopping = false;
  private onCrash?: (name: string, tail: string) => void;

  constructor(private readonly record?: StartedProcesses) {}

  /** Calls `handler` when any process exits on its own (not through stopAll). */
  superviseWith(handler: (name: string, tail: string) => void): void {
    this.onCrash = handler;
  }

  start(name: string, command: string, args: string[], options: StartOptions): ChildProcess {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      // A group of its own: a terminal's Ctrl-C reaches only us, and we stop the stack in
      // order (the worker drains while Temporal and the database are still up).
      detached: true,
    });
    if (child.pid !== undefined) this.record?.add(name, child.pid, options.ports);
    const managed: Managed = {
      name,
      child,
      tail: [],
      // A command that cannot be spawned emits only 'error', never 'exit'.
      exited: new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.once('error', () => resolve());
      }),
    };
    const sink = 'file' in options.output ? createWriteStream(options.output.file, { flags: 'a' }) : undefined;
    const prefix = 'prefix' in options.output ? options.output.prefix : '';
    const onData = (chunk: Buffer) => {
      const lines = chunk.toString().split('\n').filter(Boolean);
      managed.tail.push(...lines);
      managed.tail.splice(0, Math.max(0, managed.tail.length - 30));
      if (sink) sink.write(chunk);
      else for (const line of lines) process.stdout.write(`${prefix} ${line}\n`);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('error', (error) => managed.tail.push(`could not start ${command}: ${error.message}`));
    child.once('exit', () => {
      sink?.end();
      if (!this.stopping) this.onCrash?.(name, managed.tail.join('\n'));
    });
    this.processes.push(managed);
    return child;
  }

  /** Last resort when we exit without stopAll (e.g. an uncaught error): leave no orphans. */
  killAllNow(): void {
    for (const { child } of this.processes) if (isRunning(child)) child.kill('SIGKILL');
  }

  /** Throws, with the process's last output, if it has already exited. */
  assertRunning(name: string): void {
    const managed = this.processes.find((p) => p.name === name);
    if (!managed) throw new Error(`${name} was never started`);
    if (!isRunning(managed.child)) {
      throw new Error(`${name} exited during start-up:\n${this.tail(name)}`);
    }
  }

  tail(name: string): string {
    return this.processes.find((p) => p.name === name)?.tail.join('\n') ?? '';
  }

  /**
   * SIGTERM in reverse start order; SIGKILL whatever is still up after `graceMs`.
   * Returns the names of the processes that had to be killed: none, when shutdown is clean.
   */
  async stopAll(graceMs = 10_000): Promise<string[]> {
    this.stopping = true;
    const killed: string[] = [];
    for (const managed of [...this.processes].reverse()) {
      const { child } = managed;
      if (!isRunning(child)) continue;
      child.kill('SIGTERM');
      const timer = setTimeout(() => {
        killed.push(managed.name);
        child.kill('SIGKILL');
      }, graceMs);
      await managed.exited;
      clearTimeout(timer);
    }
    return killed;
  }
}

/** Spawned, and not exited yet. */
function isRunning(child: ChildProcess): boolean {
  return child.pid !== undefined && child.exitCode === null && child.signalCode === null;
}

/** Polls `check` until it resolves truthy; fails with `what` after `timeoutMs`. */
export async function waitFor(
  what: string,
  check: () => Promise<boolean>,
  { timeoutMs = 60_000, intervalMs = 250, alive }: { timeoutMs?: number; intervalMs?: number; alive?: () => void } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    alive?.();
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${what} was not ready within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export function acceptsConnections(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    socket.setTimeout(1_000);
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('timeout', () => (socket.destroy(), resolve(false)));
    socket.once('error', () => resolve(false));
    socket.connect(port, host);
  });
}

export function isPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

/** A port the OS says is free right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}
