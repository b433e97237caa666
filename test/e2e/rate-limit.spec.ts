import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { databaseOf, trackingClient } from '../support/tracking';

// Read when the API's config module is imported, so set before importing it below.
process.env.INGEST_RATE_LIMIT_PER_SECOND = '3';

describe('per-write-key rate limit', () => {
  let api: { app: NestFastifyApplication; url: string };

  beforeAll(async () => {
    const { startApi } = await import('../support/nudge');
    api = await startApi();
  });

  afterAll(async () => {
    await databaseOf(api.app).dropDatabase();
    await api.app.close();
  });

  it('answers 429 with Retry-After once a write key exceeds its requests per second, and nothing is stored for it', async () => {
    const client = trackingClient(api.url);
    const replies = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        client.post('/v1/track', { userId: 'u', messageId: `m-${i}`, event: 'page_view' }),
      ),
    );

    const limited = replies.filter((reply) => reply.status === 429);
    expect(replies.filter((reply) => reply.status === 200)).toHaveLength(3);
    expect(limited).toHaveLength(3);
    expect(Number(limited[0].headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(limited[0].body).toMatchObject({
      error: 'RATE_LIMITED',
      message: expect.stringMatching(/more than 3 requests in 1 s/),
    });
    expect(await databaseOf(api.app).collection('events').countDocuments()).toBe(3);
  });
});
