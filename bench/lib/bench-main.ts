import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { ProcessGroup } from '../../tools/stack/processes';

export interface BenchContext {
  /** The temporary folders asked for, one per prefix, in order; removed at the end. */
  dirs: string[];
  /** Names of processes the bench stops itself: their exit is not reported as a crash. */
  stopping: Set<string>;
}

export interface BenchDefinition<R> {
  /** The log prefix: `bench`, `bench:load`. */
  name: string;
  resultsFile: string;
  /** The groups the bench starts its processes in, stopped in this order at the end. */
  groups: ProcessGroup[];
  tempDirPrefixes: string[];
  run(context: BenchContext): Promise<R>;
  report(results: R): string;
  /** The run fails unless every check is ok; a bench without checks passes when it finishes. */
  checks?(results: R): ReadonlyArray<{ name: string; ok: boolean }>;
  /** Processes whose last output is printed when the run fails. */
  tails?: ReadonlyArray<readonly [ProcessGroup, string]>;
  /** What to close once the processes have stopped (an in-process server…). */
  close?(): Promise<void>;
}

/**
 * Runs a benchmark, and always stops what it started and removes its temporary folders: on
 * success, on failure, and on Ctrl-C (exit 130). Prints the report, writes the results as
 * JSON, and answers the exit code: 1 when a check fails or the run throws.
 */
export async function runBench<R>(bench: BenchDefinition<R>): Promise<number> {
  const log = (line: string) => console.log(`[${bench.name}] ${line}`);
  process.on('exit', () => bench.groups.forEach((group) => group.killAllNow())); // no orphans, whatever happens
  const dirs = await Promise.all(bench.tempDirPrefixes.map((prefix) => mkdtemp(join(tmpdir(), prefix))));
  const stopping = new Set<string>();
  // Ctrl-C and the normal end share one cleanup, and both wait for it before exiting.
  let cleanedUp: Promise<void> | undefined;
  const cleanUp = () =>
    (cleanedUp ??= (async () => {
      const killed: string[] = [];
      for (const group of bench.groups) killed.push(...(await group.stopAll()));
      if (killed.length) log(`killed after not stopping in time: ${killed.join(', ')}`);
      await bench.close?.();
      for (const dir of dirs) await rm(dir, { recursive: true, force: true });
    })());
  let interrupted = false;
  const interrupt = () => {
    interrupted = true;
    log('interrupted; stopping…');
    void cleanUp().finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);
  for (const group of bench.groups)
    group.superviseWith((name, tail) => {
      if (!stopping.has(name))
        console.error(`\n[${bench.name}] ${name} stopped unexpectedly. Its last output:\n${tail}\n`);
    });

  try {
    const results = await bench.run({ dirs, stopping });
    console.log(bench.report(results));
    await mkdir(dirname(bench.resultsFile), { recursive: true });
    await writeFile(bench.resultsFile, `${JSON.stringify(results, null, 2)}\n`);
    log(`results written to ${bench.resultsFile}`);
    const failed = (bench.checks?.(results) ?? []).filter((check) => !check.ok);
    if (failed.length) console.error(`[${bench.name}] FAILED: ${failed.map((check) => check.name).join('; ')}`);
    return failed.length ? 1 : 0;
  } catch (error) {
    if (interrupted) return 130;
    console.error(
      `\n[${bench.name}] FAILED: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
    for (const [group, name] of bench.tails ?? []) {
      const tail = group.tail(name);
      if (tail) console.error(`[${bench.name}] ${name}'s last output:\n${tail}`);
    }
    return 1;
  } finally {
    await cleanUp();
  }
}

/** A bench script's entry point: a bad setting (thrown while `main` starts) exits 1 with its message. */
export function startBench(name: string, main: () => Promise<number>): void {
  const fail = (error: unknown) => {
    console.error(`[${name}] ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  };
  try {
    void main().then((code) => process.exit(code), fail);
  } catch (error) {
    fail(error);
  }
}
