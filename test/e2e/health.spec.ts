import { NestFastifyApplication } from '@nestjs/platform-fastify';

describe('health when Temporal is unreachable', () => {
  let api: { app: NestFastifyApplication; url: string };

  beforeAll(async () => {
    // Nothing listens on port 1: the API must still start (lazy connection) and say so.
    // Set before the app's modules load: Nest's ConfigModule reads the environment on import.
    process.env.TEMPORAL_ADDRESS = '127.0.0.1:1';
    const { startApi } = await import('../support/nudge');
    api = await startApi();
  });

  afterAll(() => api.app.close());

  it('stays live', async () => {
    const response = await fetch(`${api.url}/health/live`);

    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: 'ok' });
  });

  it('is not ready, and names Temporal as the dependency that is down', async () => {
    const response = await fetch(`${api.url}/health/ready`);
    const body = (await response.json()) as {
      status: string;
      error: Record<string, unknown>;
      info: Record<string, unknown>;
    };

    expect(response.status).toBe(503);
    expect(body.status).toBe('error');
    expect(body.error).toMatchObject({ temporal: { status: 'down' } });
    expect(body.info).toMatchObject({ mongodb: { status: 'up' } });
  });

  it('answers the self-check with 503 and a message naming Temporal', async () => {
    const response = await fetch(`${api.url}/ops/self-check`, { method: 'POST' });
    const body = (await response.json()) as { error: string; message: string };

    expect(response.status).toBe(503);
    expect(body.error).toBe('TEMPORAL_UNAVAILABLE');
    expect(body.message).toMatch(/Temporal is unreachable/);
  });
});
