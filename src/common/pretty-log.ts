import type { DestinationStream } from 'pino';

/** The fields of a pino record that a pretty line is built from (pino-http and nestjs-pino add them). */
interface LogRecord {
  [key: string]: unknown;
  context?: unknown;
  req?: { method?: string; url?: string };
  res?: { statusCode?: number };
  responseTime?: unknown;
}

/** Fields that say nothing on a developer's terminal, or that prettyMessage already shows. */
const HIDDEN_FIELDS = 'pid,hostname,context,req,res,responseTime';

/**
 * The message of one pretty line: a finished request as `POST /v1/track 200 3ms`, anything
 * else as its message after the Nest context it came from (`[RoutesResolver] …`).
 */
export function prettyMessage(log: LogRecord, messageKey = 'msg'): string {
  const { req, res, responseTime } = log;
  if (req && res && typeof responseTime === 'number')
    return `${req.method} ${req.url} ${res.statusCode} ${Math.round(responseTime)}ms`;
  const message = typeof log[messageKey] === 'string' ? log[messageKey] : '';
  return typeof log.context === 'string' && log.context ? `[${log.context}] ${message}` : message;
}

/**
 * A pino-pretty stream: one coloured line per record (colour when stdout is a terminal, or
 * FORCE_COLOR says so). Loaded only when asked for: pino-pretty is a dev dependency, absent
 * from the production image.
 */
export async function prettyStream(destination: number | NodeJS.WritableStream = 1): Promise<DestinationStream> {
  const { default: pretty } = await import('pino-pretty');
  return pretty({
    destination,
    singleLine: true,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: HIDDEN_FIELDS,
    messageFormat: (log, messageKey) => prettyMessage(log, messageKey),
    // Synchronous like pino's own stdout: the last lines before a crash are not lost.
    sync: true,
  });
}
