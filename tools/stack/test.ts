import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, ProcessGroup } from './processes';
import { localBin, repoRoot, run } from './run';
import { startFerretDb, startTemporalDevServer } from './services';
import { ensureTools } from './tools';

/**
 * `npm test`: installs what is missing, type-checks and lints, starts FerretDB and the
 * Temporal dev server on free ports, runs jest against them, stops them, and exits with
 * jest's code. Arguments go to jest (`npm test -- test/e2e`); with arguments the static
 * checks are skipped so a focused run stays quick.
 */
const log = (line: string) => console.log(`[test] ${line}`);
const jestArgs = process.argv.slice(2);

async function main(group: ProcessGroup, workDir: string): Promise<number> {
  const tools = await ensureTools(log);
  if (jestArgs.length === 0) await staticChecks();

  log('starting FerretDB and the Temporal dev server on free ports…');
  const logFile = (name: string) => ({ file: join(workDir, `${name}.log`) });
  const [mongodbUri, temporalAddress] = await Promise.all([
    startFerretDb(group, tools, {
      port: await freePort(),
      dataDir: join(workDir, 'ferretdb'),
      output: logFile('ferretdb'),
    }),
    startTemporalDevServer(group, tools, { port: await freePort(), output: logFile('temporal') }),
  ]);

  return runJest({
    NUDGE_TEST_MONGODB_URI: mongodbUri,
    NUDGE_TEST_TEMPORAL_ADDRESS: temporalAddress,
    NUDGE_TEST_TEMPORAL_TEST_SERVER: tools.temporalTestServer,
  });
}

async function staticChecks(): Promise<void> {
  log('type-checking…');
  await run(localBin('tsc'), ['--noEmit', '-p', 'tsconfig.json'], { cwd: repoRoot });
  log('linting…');
  await run(localBin('eslint'), ['--max-warnings=0', '.'], { cwd: repoRoot });
  await run(localBin('prettier'), ['--check', '.'], { cwd: repoRoot, hint: 'Run `npm run format` to fix formatting.' });
}

function runJest(env: Record<string, string>): Promise<number> {
  return new Promise((resolve) => {
    const jest = spawn(localBin('jest'), jestArgs, {
      cwd: repoRoot,
      env: { ...process.env, ...env, NODE_ENV: 'test' },
      stdio: 'inherit',
    });
    jest.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

async function runAndCleanUp(): Promise<number> {
  const group = new ProcessGroup();
  process.on('exit', () => group.killAllNow());
  const workDir = await mkdtemp(join(tmpdir(), 'nudge-test-'));
  const interrupt = () => void group.stopAll().then(() => process.exit(130));
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);
  try {
    return await main(group, workDir);
  } catch (error) {
    console.error(`\n[test] ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  } finally {
    await group.stopAll();
    await rm(workDir, { recursive: true, force: true });
  }
}

void runAndCleanUp().then((code) => process.exit(code));
