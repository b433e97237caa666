import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';

describe('configuration checked at start', () => {
  it('refuses to start the API, naming each wrong variable', async () => {
    // Set before the app's modules load: Nest's ConfigModule reads the environment on import.
    Object.assign(process.env, { PORT: 'eighty', TEMPORAL_ADDRESS: 'temporal-without-port' });
    const { AppModule } = await import('../../src/app.module');

    const start = NestFactory.create(AppModule, new FastifyAdapter(), { logger: false, abortOnError: false });

    await expect(start).rejects.toThrow(/Invalid configuration:\n.*PORT: .*\n.*TEMPORAL_ADDRESS: must be host:port/);
  });
});
