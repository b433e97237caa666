import { Module } from '@nestjs/common';
import { LoggerModule as PinoLoggerModule } from 'nestjs-pino';
import { AppConfig, ConfigService } from '../config/config.module';

/** Structured JSON logs (pino) for the API and the worker; one line per request on the API. */
@Module({
  imports: [
    PinoLoggerModule.forRootAsync({
      inject: [ConfigService],
      useFactory: (config: AppConfig) => ({
        pinoHttp: {
          level: config.get('LOG_LEVEL', { infer: true }),
          // Health probes run every few seconds; logging each one buries real traffic.
          autoLogging: { ignore: (req) => (req.url ?? '').startsWith('/health') },
          redact: ['req.headers.authorization', 'req.headers.cookie'],
        },
      }),
    }),
  ],
})
export class LoggerModule {}
