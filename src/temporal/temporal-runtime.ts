import { DefaultLogger, LogLevel, Runtime } from '@temporalio/worker';
import { PinoLogger } from 'nestjs-pino';

const pinoLevels: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

/**
 * Once per worker process: Temporal's own logs (worker, workflow sandbox, core) become the
 * same JSON lines as Nest's, and Temporal leaves SIGINT/SIGTERM to Nest's shutdown hooks.
 */
export function installTemporalRuntime(pino: PinoLogger): void {
  pino.setContext('temporal');
  Runtime.install({
    shutdownSignals: [],
    logger: new DefaultLogger('INFO', ({ level, message, meta }) => pino[pinoLevels[level]](meta ?? {}, message)),
  });
}
