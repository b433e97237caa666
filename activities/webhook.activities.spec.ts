import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { createServer, IncomingHttpHeaders, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { createWebhookActivities } from './webhook.activities';

interface Received {
  method: string;
  headers: IncomingHttpHeaders;
  body: unknown;
}

/** A real HTTP server answering each request with the next scripted reply (the last one repeats). */
async function startReceiver(replies: Array<{ status: number; headers?: Record<string, string>; body?: string }>) {
  const received: Received[] = [];
  const server: Server = createServer((request, response) => {
    let raw = '';
    request.on('data', (chunk: Buffer) => (raw += chunk.toString()));
    request.on('end', () => {
      received.push({ method: request.method ?? '', headers: request.headers, body: JSON.parse(raw) });
      const reply = replies[Math.min(received.length - 1, replies.length - 1)];
      if (reply.status === 0) return; // never answers
      response.writeHead(reply.status, reply.headers).end(reply.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/lead`;
  const close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return { url, received, close };
}

const step = {
  key: 'journey-j1-lead_1-1:notify-crm',
  workspaceId: 'ws1',
  leadId: 'lead_1',
  journeyId: 'j1',
  version: 2,
  runId: 'journey-j1-lead_1-1',
  stepId: 'notify-crm',
};

/** Failed attempts are what these tests are about; the mock environment would log each one. */
const logger = new DefaultLogger('ERROR');

describe('callWebhook against a real HTTP server', () => {
  const { callWebhook } = createWebhookActivities({ webhookTimeoutMs: 300 });
  let receiver: Awaited<ReturnType<typeof startReceiver>> | undefined;
  const call = (url: string, attempt = 1, body?: Record<string, unknown>) =>
    new MockActivityEnvironment({ attempt }, { logger }).run(callWebhook, {
      ...step,
      url,
      method: 'POST' as const,
      ...(body && { body }),
    });
  const failureOf = async (promise: Promise<unknown>) => {
    const error = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ApplicationFailure);
    return error as ApplicationFailure;
  };

  afterEach(async () => {
    await receiver?.close();
    receiver = undefined;
  });

  it('posts the step body with the run identifiers, as JSON with the idempotency key', async () => {
    receiver = await startReceiver([{ status: 202 }]);

    const result = await call(receiver.url, 1, { event: 'hot_lead', leadId: 'spoofed' });

    expect(result).toEqual({ status: 202 });
    expect(receiver.received).toHaveLength(1);
    const [request] = receiver.received;
    expect(request.method).toBe('POST');
    expect(request.headers).toMatchObject({
      'content-type': 'application/json',
      'idempotency-key': step.key,
      'user-agent': 'Nudge',
    });
    expect(request.body).toEqual({
      event: 'hot_lead',
      leadId: 'lead_1',
      journeyId: 'j1',
      runId: 'journey-j1-lead_1-1',
      stepId: 'notify-crm',
    });
  });

  it('sends PUT when the step says so', async () => {
    receiver = await startReceiver([{ status: 200 }]);

    await new MockActivityEnvironment({}, { logger }).run(callWebhook, {
      ...step,
      url: receiver.url,
      method: 'PUT' as const,
    });

    expect(receiver.received[0].method).toBe('PUT');
  });

  it('fails retryably on a 503 and sends the same Idempotency-Key on the retry that succeeds', async () => {
    receiver = await startReceiver([{ status: 503, body: 'maintenance' }, { status: 200 }]);

    const failure = await failureOf(call(receiver.url, 1));
    const retried = await call(receiver.url, 2);

    expect(failure).toMatchObject({ nonRetryable: false, type: 'WebhookRetryableStatus' });
    expect(failure.message).toBe(`POST ${receiver.url} answered 503: maintenance`);
    expect(retried).toEqual({ status: 200 });
    expect(receiver.received.map((r) => r.headers['idempotency-key'])).toEqual([step.key, step.key]);
  });

  it.each([408, 429, 500])('retries a %i', async (status) => {
    receiver = await startReceiver([{ status }]);

    expect(await failureOf(call(receiver.url))).toMatchObject({ nonRetryable: false });
  });

  it("passes a 429's Retry-After on as the next retry delay", async () => {
    receiver = await startReceiver([{ status: 429, headers: { 'Retry-After': '7' } }]);

    expect((await failureOf(call(receiver.url))).nextRetryDelay).toBe(7000);
  });

  it.each([400, 404, 410, 422])('fails for good on a %i', async (status) => {
    receiver = await startReceiver([{ status, body: '{"error":"unknown lead"}' }]);

    const failure = await failureOf(call(receiver.url));

    expect(failure).toMatchObject({ nonRetryable: true, type: 'WebhookRejected' });
    expect(failure.message).toContain(`answered ${status}: {"error":"unknown lead"}`);
  });

  it('does not follow a redirect, which would drop the body', async () => {
    receiver = await startReceiver([{ status: 302, headers: { Location: '/elsewhere' } }]);

    expect(await failureOf(call(receiver.url))).toMatchObject({ nonRetryable: true });
    expect(receiver.received).toHaveLength(1);
  });

  it('fails retryably when nothing listens', async () => {
    receiver = await startReceiver([{ status: 200 }]);
    const { url } = receiver;
    await receiver.close();
    receiver = undefined;

    const failure = await failureOf(call(url));

    expect(failure).toMatchObject({ nonRetryable: false, type: 'WebhookUnreachable' });
    expect(failure.message).toMatch(/ECONNREFUSED/);
  });

  it('gives up on a server that does not answer within the timeout, retryably', async () => {
    receiver = await startReceiver([{ status: 0 }]);

    const failure = await failureOf(call(receiver.url));

    expect(failure).toMatchObject({ nonRetryable: false, type: 'WebhookUnreachable' });
    expect(failure.message).toMatch(/timeout/i);
  });

  it('aborts the request when the activity is cancelled', async () => {
    receiver = await startReceiver([{ status: 0 }]);
    const { received } = receiver;
    const env = new MockActivityEnvironment({}, { logger });
    const running = env.run(createWebhookActivities().callWebhook, {
      ...step,
      url: receiver.url,
      method: 'POST' as const,
    });

    while (received.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    env.cancel();

    await expect(running).rejects.toBeInstanceOf(CancelledFailure);
  });
});
