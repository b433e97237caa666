import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { acceptsConnections } from './processes';

/**
 * What `npm run dev` started, written down as it starts it, so that the next run can stop
 * what a SIGKILLed run left listening. A pid alone is not enough to kill by: after the
 * process exits the OS hands the number to someone else. A pid, its start time and its
 * command line together name one process.
 */

export interface ProcessIdentity {
  /** Clock ticks after boot (Linux, /proc/<pid>/stat), or `ps`'s lstart elsewhere. */
  startTime: string;
  /** Linux only: start times count from boot, so they are unique only within one. */
  bootId?: string;
  /** The full command line, as the OS reports it. */
  command: string;
}

export interface RecordedProcess extends ProcessIdentity {
  name: string;
  pid: number;
  ports: number[];
}

interface RecordFile {
  /** The `npm run dev` (node) process that started the services. */
  owner: RecordedProcess;
  services: RecordedProcess[];
}

interface LiveProcess extends ProcessIdentity {
  ppid: number;
  pgid: number;
}

/** The process with this pid now, or undefined when there is none (or only its zombie). */
export function processIdentity(pid: number, platform: NodeJS.Platform = process.platform): LiveProcess | undefined {
  return platform === 'linux' ? fromProc(pid) : fromPs(pid);
}

function fromProc(pid: number): LiveProcess | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may itself contain spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const [state, ppid, pgid] = fields;
    if (state === 'Z' || state === 'X') return undefined;
    const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
    const bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    return { startTime: fields[19], bootId, command, ppid: Number(ppid), pgid: Number(pgid) };
  } catch {
    return undefined;
  }
}

function fromPs(pid: number): LiveProcess | undefined {
  let line: string;
  try {
    line = execFileSync('ps', ['-ww', '-p', String(pid), '-o', 'ppid=,pgid=,stat=,lstart=,command='], {
      encoding: 'utf8',
      env: { ...process.env, LC_ALL: 'C' },
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return undefined; // ps exits 1 when there is no such process
  }
  // "<ppid> <pgid> <stat> <Wed Dec  2 13:09:45 2026> <command…>"
  const match = /^(\d+)\s+(\d+)\s+(\S+)\s+(\S+\s+\S+\s+\d+\s+[\d:]+\s+\d+)\s+(.*)$/.exec(line);
  if (!match || match[3].startsWith('Z')) return undefined;
  const [, ppid, pgid, , startTime, command] = match;
  return { ppid: Number(ppid), pgid: Number(pgid), startTime: startTime.replace(/\s+/g, ' '), command };
}

/** The same process that was recorded, not a later one that reused its pid. */
export function isSameProcess(then: RecordedProcess, now = processIdentity(then.pid)): boolean {
  return (
    now !== undefined && now.startTime === then.startTime && now.bootId === then.bootId && now.command === then.command
  );
}

/** A live process as the record keeps it; undefined when it is not running. */
export function recorded(name: string, pid: number, ports: number[] = []): RecordedProcess | undefined {
  const identity = processIdentity(pid);
  if (!identity) return undefined;
  const { startTime, bootId, command } = identity;
  return { name, pid, ports, startTime, ...(bootId ? { bootId } : {}), command };
}

/** The record of one `npm run dev`: rewritten whole (write, then rename) on every start. */
export class StackRecord {
  private owner?: RecordedProcess;
  private readonly services: RecordedProcess[] = [];
  private written = false;

  constructor(
    readonly file: string,
    private readonly ownerPid = process.pid,
  ) {}

  add(name: string, pid: number, ports: number[] = []): void {
    const service = recorded(name, pid, ports);
    if (!service) return; // exited already: nothing to stop later
    this.services.push(service);
    this.owner ??= recorded('npm run dev', this.ownerPid, []);
    if (!this.owner) return;
    mkdirSync(dirname(this.file), { recursive: true });
    const content: RecordFile = { owner: this.owner, services: this.services };
    writeFileSync(`${this.file}.tmp`, `${JSON.stringify(content, null, 2)}\n`);
    renameSync(`${this.file}.tmp`, this.file);
    this.written = true;
  }

  /** After a clean stop there is nothing left to find. Only the record's own writer removes it. */
  clear(): void {
    if (this.written) rmSync(this.file, { force: true });
    this.written = false;
  }
}

export type Leftovers =
  | { kind: 'none' }
  /** The run that wrote the record is still up: its services are not leftovers. */
  | { kind: 'running'; owner: RecordedProcess }
  | { kind: 'leftovers'; services: RecordedProcess[] };

/** What a previous run left behind: only recorded services that are still the processes it started. */
export function findLeftovers(file: string): Leftovers {
  let content: Partial<RecordFile>;
  try {
    content = JSON.parse(readFileSync(file, 'utf8')) as Partial<RecordFile>;
  } catch {
    return { kind: 'none' }; // no record (the last run stopped cleanly), or an unreadable one
  }
  if (!content.owner || !Array.isArray(content.services)) return { kind: 'none' };
  if (isSameProcess(content.owner)) return { kind: 'running', owner: content.owner };
  const services = content.services.filter((service) => isSameProcess(service));
  return services.length ? { kind: 'leftovers', services } : { kind: 'none' };
}

/**
 * Stops what a previous run left, newest first as a clean stop would (the worker drains
 * while Temporal and the database are still up): SIGTERM to its process group, SIGKILL after
 * `graceMs`. Then removes the record, unless its run is still up.
 */
export async function stopLeftovers(
  file: string,
  { graceMs = 10_000 } = {},
): Promise<Exclude<Leftovers, { kind: 'leftovers' }> | { kind: 'stopped'; services: RecordedProcess[] }> {
  const found = findLeftovers(file);
  if (found.kind === 'running') return found;
  const stopped: RecordedProcess[] = [];
  for (const service of found.kind === 'leftovers' ? [...found.services].reverse() : []) {
    if (await stopProcess(service, graceMs)) stopped.push(service);
  }
  rmSync(file, { force: true });
  return stopped.length ? { kind: 'stopped', services: stopped.reverse() } : { kind: 'none' };
}

async function stopProcess(service: RecordedProcess, graceMs: number): Promise<boolean> {
  const signal = (name: NodeJS.Signals) => {
    // Checked again right before each signal: never signal a pid that is someone else's now.
    const now = processIdentity(service.pid);
    if (!now || !isSameProcess(service, now)) return false;
    try {
      // Ours lead their own group (spawned detached): the group takes any children with it.
      process.kill(now.pgid === service.pid ? -service.pid : service.pid, name);
      return true;
    } catch {
      return false; // exited in between
    }
  };
  if (!signal('SIGTERM')) return false;
  if (!(await gone(service, graceMs))) {
    signal('SIGKILL');
    await gone(service, 5_000);
  }
  await portsClosed(service, 5_000);
  return true;
}

/**
 * Waits for a stopped service's ports to close. A multi-threaded process (node, Go) whose
 * main thread has exited reads as a zombie while its other threads still hold its sockets,
 * so the next start could find the port still taken.
 */
async function portsClosed(service: RecordedProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (const port of service.ports) {
    while ((await acceptsConnections(port)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  }
}

async function gone(service: RecordedProcess, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isSameProcess(service)) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return true;
}

/** "ferretdb (pid 123, port 27017), temporal (pid 124, ports 7233, 8233), worker (pid 126)" */
export function describeProcesses(services: RecordedProcess[]): string {
  return services
    .map(({ name, pid, ports }) => {
      const where = ports.length ? `, port${ports.length > 1 ? 's' : ''} ${ports.join(', ')}` : '';
      return `${name} (pid ${pid}${where})`;
    })
    .join(', ');
}

/**
 * The processes between us and the npm that ran us (`npm run dev` → `sh -c` → node). When
 * npm is SIGKILLed the shell and we live on, orphaned, out of reach of Ctrl-C: whoever
 * watches these can stop the stack then. Empty when npm did not start us.
 */
export function npmLaunchers(env: NodeJS.ProcessEnv = process.env, maxDepth = 3): RecordedProcess[] {
  if (!env.npm_execpath) return [];
  const chain: RecordedProcess[] = [];
  for (let pid = process.ppid; chain.length < maxDepth && pid > 1;) {
    const parent = processIdentity(pid);
    const entry = recorded('launcher', pid);
    if (!parent || !entry) return [];
    chain.push(entry);
    // npm names itself in its process title ("npm run dev"); node running npm-cli.js otherwise.
    if (/(^|\/)npm(\s|$)|npm-cli\.js/.test(parent.command)) return chain;
    pid = parent.ppid;
  }
  return [];
}
