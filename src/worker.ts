import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Logger, PinoLogger } from 'nestjs-pino';
import { installTemporalRuntime } from './temporal/temporal-runtime';
import { WorkerModule } from './worker/worker.module';
import { WorkerService } from './worker/worker.service';

async function bootstrap(): Promise<void> {
  const app = await NestFactory.createApplicationContext(WorkerModule, { bufferLogs: true });
  app.useLogger(app.get(Logger));
  installTemporalRuntime(await app.resolve(PinoLogger));
  // Nest, not Temporal's runtime, handles SIGINT/SIGTERM, so the worker drains before the
  // database connection closes (see WorkerService.beforeApplicationShutdown).
  app.enableShutdownHooks();
  await app.get(WorkerService).run();
}

bootstrap().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
