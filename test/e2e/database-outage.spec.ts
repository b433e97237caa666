import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, ProcessGroup } from '../../tools/stack/processes';
import { startFerretDb } from '../../tools/stack/services';
import { ensureTools, InstalledTools } from '../../tools/stack/tools';
import { databaseOf, trackingClient } from '../support/tracking';

/**
 * The database going away mid-traffic: the API answers 503 with Retry-After (so SDKs
 * retry), not 500, and once it is back the retried batch is stored once, with nothing
 * accepted before the outage lost. Runs on a FerretDB of its own, which it stops.
 */
describe('database briefly down', () => {
  let api: { app: NestFastifyApplication; url: string };
  let tools: InstalledTools;
  let database: ProcessGroup;
  let dataDir: string;
  let port: number;

  const startDatabase = async () => {
    database = new ProcessGroup();
    return startFerretDb(database, tools, { port, dataDir, output: { file: join(dataDir, 'ferretdb.log') } });
  };

  beforeAll(async () => {
    tools = await ensureTools(() => undefined);
    dataDir = await mkdtemp(join(tmpdir(), 'nudge-outage-'));
    port = await freePort();
    process.env.MONGODB_URI = `${await startDatabase()}_outage`;
    const { startApi } = await import('../support/nudge');
    api = await startApi();
  });

  afterAll(async () => {
    await api.app.close();
    await database.stopAll();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('answers 503 with Retry-After while it is down, and stores the retried batch once when it is back', async () => {
    const client = trackingClient(api.url);
    const batch = (ids: string[]) => ({
      batch: ids.map((messageId) => ({ type: 'track', userId: 'u-outage', messageId, event: 'quote_request' })),
    });
    expect((await client.post('/v1/batch', batch(['before-1', 'before-2']))).status).toBe(200);

    await database.stopAll();
    const during = await client.post('/v1/batch', batch(['during-1', 'during-2']));
    expect(during.status).toBe(503);
    expect(during.headers.get('retry-after')).toBe('5');
    expect(during.body).toMatchObject({ error: 'DATABASE_UNAVAILABLE' });

    await startDatabase();
    const retried = await client.post('/v1/batch', batch(['during-1', 'during-2']));
    expect(retried.body).toMatchObject({ accepted: 2, duplicates: 0 });

    const events = await databaseOf(api.app).collection('events').find({ userId: 'u-outage' }).toArray();
    expect(events.map((e) => e.messageId).sort()).toEqual(['before-1', 'before-2', 'during-1', 'during-2']);
    const lead = await client.get('/v1/leads/u-outage');
    expect(lead.body).toMatchObject({ rollups: { countsByType: { quote_request: 4 } } });
  });
});
