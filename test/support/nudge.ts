import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from '../../src/app.module';
import { configureApp, createAdapter } from '../../src/app.setup';
import { WorkerModule } from '../../src/worker/worker.module';
import { WorkerService } from '../../src/worker/worker.service';

/** The real API, configured exactly as main.ts does, listening on a free port. */
export async function startApi(): Promise<{ app: NestFastifyApplication; url: string }> {
  const app = await NestFactory.create<NestFastifyApplication>(AppModule, createAdapter(), {
    bufferLogs: true,
  });
  configureApp(app);
  await app.listen(0, '127.0.0.1');
  return { app, url: await app.getUrl() };
}

/** The real worker process's context, polling this test file's own task queue. */
export async function startWorker(): Promise<{ context: INestApplicationContext; stop: () => Promise<void> }> {
  const context = await NestFactory.createApplicationContext(WorkerModule, { logger: ['error', 'warn'] });
  const running = context.get(WorkerService).run();
  return {
    context,
    stop: async () => {
      await context.close();
      await running;
    },
  };
}
