import { Module } from '@nestjs/common';
import { LoggerModule as PinoLoggerModule } from 'nestjs-pino';
import type { Options } from 'pino-http';
import { AppConfig, ConfigService } from '../config/config.module';
import { prettyStream } from './pretty-log';

/**
 * Logs (pino) for the API and the worker, one line per request on the API: JSON lines, or
 * with LOG_FORMAT=pretty (what `npm run dev` sets) one readable, coloured line each.
 */
@Module({
  imports: [
    PinoLoggerModule.forRootAsync({
      inject: [ConfigService],
      useFactory: async (config: AppConfig) => {
        const options: Options = {
          level: config.get('LOG_LEVEL', { infer: true }),
          // Health probes run every few seconds; logging each one buries real traffic. The
          // path is in originalUrl: Fastify's middleware engine strips req.url to the mount.
          autoLogging: {
            ignore: (req) => ((req as { originalUrl?: string }).originalUrl ?? req.url ?? '').startsWith('/health'),
          },
          redact: ['req.headers.authorization', 'req.headers.cookie'],
        };
        return {
          pinoHttp: config.get('LOG_FORMAT', { infer: true }) === 'pretty' ? [options, await prettyStream()] : options,
        };
      },
    }),
  ],
})
export class LoggerModule {}
