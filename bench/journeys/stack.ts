import { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort, ProcessGroup, waitFor } from '../../tools/stack/processes';
import { repoRoot } from '../../tools/stack/run';
import { buildNudge, startFerretDb, startTemporalDevServer } from '../../tools/stack/services';
import { ensureTools } from '../../tools/stack/tools';
import { NAMESPACE, TASK_QUEUE, WORKSPACE_ID, WRITE_KEY } from './leads';

export interface JourneyStack {
  apiUrl: string;
  mongodbUri: string;
  temporalAddress: string;
  /** Each server's own process (node itself for the API and worker), for memory and CPU time. */
  pids: { api: number; worker: number; ferretdb: number; temporal: number };
}

/**
 * The whole stack on free ports, logs in `workDir`: FerretDB (fresh data directory), the
 * Temporal dev server (in memory, headless), and the compiled API and worker with waits
 * scaled to zero and SMTP pointing at the bench's own server. The worker runs in
 * `workerGroup`, so the bench can stop it alone.
 */
export async function startJourneyStack(
  group: ProcessGroup,
  workerGroup: ProcessGroup,
  { workDir, smtpUrl, log }: { workDir: string; smtpUrl: string; log: (line: string) => void },
): Promise<JourneyStack> {
  const tools = await ensureTools(log);
  log('building the API and worker (nest build)…');
  await buildNudge();

  log('starting FerretDB and the Temporal dev server on free ports…');
  const logFile = (name: string) => ({ file: join(workDir, `${name}.log`) });
  const dataDir = join(workDir, 'ferretdb');
  const temporalPort = await freePort();
  const [mongodbUri, temporalAddress] = await Promise.all([
    startFerretDb(group, tools, { port: await freePort(), dataDir, output: logFile('ferretdb') }),
    startTemporalDevServer(group, tools, { port: temporalPort, output: logFile('temporal') }),
  ]);
  // The services module keeps these children to itself; their unique arguments find them.
  const ferretdb = await pidOf([dataDir]);
  const temporalPid = await pidOf(['start-dev', '--port', String(temporalPort)]);

  log('starting the Nudge API and worker…');
  const apiPort = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'development', // seeds the dev workspace, its write key and the example journey
    DEV_WORKSPACE_SEED: 'true',
    DEV_WORKSPACE_ID: WORKSPACE_ID,
    DEV_WRITE_KEY: WRITE_KEY,
    HOST: '127.0.0.1',
    PORT: String(apiPort),
    MONGODB_URI: mongodbUri,
    TEMPORAL_ADDRESS: temporalAddress,
    TEMPORAL_NAMESPACE: NAMESPACE,
    TEMPORAL_TASK_QUEUE: TASK_QUEUE,
    SMTP_URL: smtpUrl,
    JOURNEY_WAIT_SCALE: '0',
    // The bench measures journeys, not the per-key rate limit.
    INGEST_RATE_LIMIT_PER_SECOND: '1000000',
    LOG_LEVEL: 'warn',
  };
  const node = (name: string, entry: string, into: ProcessGroup) =>
    into.start(name, process.execPath, [join(repoRoot, 'dist', 'src', entry)], {
      cwd: repoRoot,
      env,
      output: logFile(name),
    });
  const worker = node('worker', 'worker.js', workerGroup);
  const api = node('api', 'main.js', group);
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  await waitFor('Nudge API (/health/ready)', async () => (await fetch(`${apiUrl}/health/ready`)).ok, {
    alive: () => (group.assertRunning('api'), workerGroup.assertRunning('worker')),
    intervalMs: 500,
  });
  if (api.pid === undefined || worker.pid === undefined) throw new Error('the API or the worker has no process id');
  return {
    apiUrl,
    mongodbUri,
    temporalAddress,
    pids: { api: api.pid, worker: worker.pid, ferretdb, temporal: temporalPid },
  };
}

/** Waits until a worker polls Nudge's task queue for activities: it has bundled its workflows and runs. */
export async function waitForWorker(client: Client, alive: () => void): Promise<void> {
  await waitFor(
    'the Nudge worker polling its task queue',
    async () => {
      const { pollers } = await client.workflowService.describeTaskQueue({
        namespace: NAMESPACE,
        taskQueue: { name: TASK_QUEUE },
        taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
      });
      return pollers.length > 0;
    },
    { alive, timeoutMs: 120_000, intervalMs: 500 },
  );
}

/** The one process whose command line has every one of `args` among its arguments. */
async function pidOf(args: string[]): Promise<number> {
  const pids = (await readdir('/proc')).filter((entry) => /^\d+$/.test(entry));
  for (const pid of pids) {
    const commandLine = (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).split('\0');
    if (args.every((arg) => commandLine.includes(arg))) return Number(pid);
  }
  throw new Error(`no process runs with ${args.join(' ')}`);
}
