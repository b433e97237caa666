import { cpuMsOf } from '../lib/stack';

/** CPU time spent by each process of the stack, and by the bench itself, over one phase. */

export type Pids = Record<string, number>;
export type CpuMs = Record<string, number>;

async function snapshot(pids: Pids): Promise<CpuMs> {
  const entries = await Promise.all(Object.entries(pids).map(async ([name, pid]) => [name, await cpuMsOf(pid)]));
  const { user, system } = process.cpuUsage();
  return { ...Object.fromEntries(entries), bench: (user + system) / 1000 };
}

/** Runs `phase`, and returns its result with the CPU time (ms) each process spent meanwhile. */
export async function withCpu<T>(pids: Pids, phase: () => Promise<T>): Promise<{ result: T; cpuMs: CpuMs }> {
  const before = await snapshot(pids);
  const result = await phase();
  const after = await snapshot(pids);
  const cpuMs = Object.fromEntries(Object.keys(after).map((name) => [name, after[name] - before[name]]));
  return { result, cpuMs };
}

/** CPU time per `unit` items (e.g. per lead, per 1,000 signals), summed over phases. */
export function cpuPer(phases: ReadonlyArray<{ cpuMs: CpuMs; items: number }>, unit: number): CpuMs {
  const items = phases.reduce((sum, phase) => sum + phase.items, 0);
  const total: CpuMs = {};
  for (const { cpuMs } of phases) for (const [name, ms] of Object.entries(cpuMs)) total[name] = (total[name] ?? 0) + ms;
  return Object.fromEntries(Object.entries(total).map(([name, ms]) => [name, (ms / items) * unit]));
}
