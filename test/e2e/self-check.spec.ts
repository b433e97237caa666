import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { getConnectionToken } from '@nestjs/mongoose';
import { Connection } from 'mongoose';
import { hostname } from 'node:os';
import { startApi, startWorker } from '../support/nudge';

describe('self-check: API → Temporal dev server → worker → MongoDB', () => {
  let api: { app: NestFastifyApplication; url: string };
  let worker: Awaited<ReturnType<typeof startWorker>>;

  beforeAll(async () => {
    api = await startApi();
    worker = await startWorker();
  });

  afterAll(async () => {
    await api.app.get<Connection>(getConnectionToken()).dropDatabase();
    await worker.stop();
    await api.app.close();
  });

  it('reports MongoDB and Temporal ready', async () => {
    const response = await fetch(`${api.url}/health/ready`);

    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      status: 'ok',
      info: { mongodb: { status: 'up' }, temporal: { status: 'up' } },
    });
  });

  it('completes a workflow started through the API, with the activity run by the worker', async () => {
    const response = await fetch(`${api.url}/ops/self-check`, { method: 'POST' });
    const body = (await response.json()) as Record<string, string>;

    expect(response.status).toBe(200);
    expect(body.workflowId).toMatch(/^self-check-[0-9a-f-]{36}$/);
    expect(body.workerIdentity).toBe(`nudge-worker-${process.pid}@${hostname()}`);

    // The activity's write is in the database, under the workflow's id.
    const stored = await api.app
      .get<Connection>(getConnectionToken())
      .db!.collection('self_checks')
      .findOne({ _id: body.workflowId as never });
    expect(stored).toMatchObject({ message: body.message, workerIdentity: body.workerIdentity });
    expect(new Date(stored!.recordedAt as Date).toISOString()).toBe(body.recordedAt);

    // And Temporal itself recorded the run as completed.
    const { Client, Connection: TemporalConnection } = await import('@temporalio/client');
    const connection = await TemporalConnection.connect({ address: process.env.TEMPORAL_ADDRESS });
    const description = await new Client({ connection }).workflow.getHandle(body.workflowId).describe();
    await connection.close();
    expect(description.status.name).toBe('COMPLETED');
    expect(description.taskQueue).toBe(process.env.TEMPORAL_TASK_QUEUE);
  });

  it('serves the OpenAPI document listing the routes', async () => {
    const response = await fetch(`${api.url}/docs/openapi.json`);
    const document = (await response.json()) as { paths: Record<string, unknown> };

    expect(response.status).toBe(200);
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining(['/health/live', '/health/ready', '/ops/self-check']),
    );
  });
});
