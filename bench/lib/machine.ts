import { cpus } from 'node:os';
import { TOOL_VERSIONS } from '../../tools/stack/tools';

/** What a benchmark ran on, for its report: figures only compare on like machines. */
export function machineInfo(loadAverage: number) {
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    node: process.version,
    database: `FerretDB ${TOOL_VERSIONS.ferretdb} (SQLite, patched: tools/ferretdb/patches)`,
    /** The 1-minute load average when the bench started, before its own load. */
    loadAverage,
  };
}
