import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort, ProcessGroup, waitFor } from '../../tools/stack/processes';
import { repoRoot } from '../../tools/stack/run';
import { buildNudge, startFerretDb } from '../../tools/stack/services';
import { ensureTools } from '../../tools/stack/tools';
import { WORKSPACE_ID, WRITE_KEY } from './workload';

export interface BenchStack {
  apiUrl: string;
  mongodbUri: string;
  /** The API's own process (node itself, not a wrapper), for reading its memory and CPU time. */
  apiPid: number;
  databasePid: number;
  /** Every API process started (the first is `apiUrl`/`apiPid`). */
  apis: Array<{ url: string; pid: number }>;
}

/**
 * FerretDB and the API alone (or `apis` API processes sharing the database, as production
 * runs several), on free ports, with their logs in `workDir`. No Temporal and no worker:
 * ingestion needs neither, and on a small machine their background work would take CPU
 * from the processes being measured.
 */
export async function startBenchStack(
  group: ProcessGroup,
  workDir: string,
  log: (line: string) => void,
  { apis = 1 }: { apis?: number } = {},
): Promise<BenchStack> {
  const tools = await ensureTools(log);
  log('building the API (nest build)…');
  await buildNudge();

  log('starting FerretDB and the API on free ports…');
  const dataDir = join(workDir, 'ferretdb');
  const mongodbUri = await startFerretDb(group, tools, {
    port: await freePort(),
    dataDir,
    output: { file: join(workDir, 'ferretdb.log') },
  });
  // startFerretDb keeps the child to itself; its data directory, fresh and ours, finds it.
  const databasePid = await pidOf(dataDir);
  const started: BenchStack['apis'] = [];
  for (let i = 0; i < apis; i++) started.push(await startApi(group, i ? `api-${i + 1}` : 'api', workDir, mongodbUri));
  return { apiUrl: started[0].url, mongodbUri, apiPid: started[0].pid, databasePid, apis: started };
}

async function startApi(
  group: ProcessGroup,
  name: string,
  workDir: string,
  mongodbUri: string,
): Promise<{ url: string; pid: number }> {
  const apiPort = await freePort();
  // BENCH_API_CPU_PROF=<dir>: each API writes a V8 CPU profile there as it exits (open it in
  // Chrome's DevTools). Node refuses --cpu-prof in NODE_OPTIONS, so it goes on the command line.
  const profileDir = process.env.BENCH_API_CPU_PROF;
  const profile = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
  const api = group.start(name, process.execPath, [...profile, join(repoRoot, 'dist', 'src', 'main.js')], {
    cwd: repoRoot,
    env: {
      ...process.env,
      NODE_ENV: 'development', // seeds the dev workspace and its write key
      DEV_WORKSPACE_SEED: 'true',
      DEV_WORKSPACE_ID: WORKSPACE_ID,
      DEV_WRITE_KEY: WRITE_KEY,
      HOST: '127.0.0.1',
      PORT: String(apiPort),
      MONGODB_URI: mongodbUri,
      LOG_LEVEL: 'warn',
      // A port nobody listens on: the API connects to Temporal lazily, and ingestion never does.
      TEMPORAL_ADDRESS: `127.0.0.1:${await freePort()}`,
      // The bench measures ingestion, not the per-key rate limit.
      INGEST_RATE_LIMIT_PER_SECOND: '1000000',
    },
    output: { file: join(workDir, `${name}.log`) },
  });
  const url = `http://127.0.0.1:${apiPort}`;
  await waitFor(`Nudge ${name} (/health/live)`, async () => (await fetch(`${url}/health/live`)).ok, {
    alive: () => group.assertRunning(name),
  });
  if (api.pid === undefined) throw new Error(`${name} has no process id`);
  return { url, pid: api.pid };
}

/** The one process whose command line mentions `unique`. */
async function pidOf(unique: string): Promise<number> {
  const pids = (await readdir('/proc')).filter((entry) => /^\d+$/.test(entry));
  for (const pid of pids) {
    const commandLine = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (commandLine.split('\0').includes(unique)) return Number(pid);
  }
  throw new Error(`no process runs with ${unique}`);
}

export interface MemoryUse {
  /** Peak resident set size so far (VmHWM), in MiB. */
  peakRssMiB: number;
  /** Resident set size now (VmRSS), in MiB. */
  rssMiB: number;
}

/** A Linux process's memory, from /proc/<pid>/status. */
export async function memoryOf(pid: number): Promise<MemoryUse> {
  const status = await readProc(pid, 'status');
  const kib = (field: string) => {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(status);
    if (!match) throw new Error(`/proc/${pid}/status has no ${field}`);
    return Number(match[1]);
  };
  return { peakRssMiB: kib('VmHWM') / 1024, rssMiB: kib('VmRSS') / 1024 };
}

/**
 * CPU time (user + system) a process has used so far, in ms. On a shared machine a phase's
 * events/s move with its neighbours; the CPU a process spent per event does not.
 */
export async function cpuMsOf(pid: number): Promise<number> {
  const stat = await readProc(pid, 'stat');
  // Fields after the command (which may hold spaces), from the 3rd: utime is the 14th, stime the 15th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
}

/** Linux's USER_HZ, which /proc reports times in: 100 on every mainstream architecture. */
const CLOCK_TICKS_PER_SECOND = 100;

function readProc(pid: number, file: string): Promise<string> {
  return readFile(`/proc/${pid}/${file}`, 'utf8').catch(() => {
    throw new Error(`process ${pid} is no longer running`);
  });
}
