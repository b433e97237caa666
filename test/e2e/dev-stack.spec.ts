import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { Connection } from '@temporalio/client';
import { freePort, isPortFree } from '../../tools/stack/processes';

/**
 * `npm run dev` itself, on free ports and a scratch data folder: the whole stack comes up,
 * answers ready, refuses a second copy on the same ports, stops cleanly on Ctrl-C, and
 * stops what a SIGKILLed run left behind.
 */
const repoRoot = resolve(__dirname, '..', '..');
jest.setTimeout(300_000);

interface DevStack {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

const started: DevStack[] = [];

function startDev(env: NodeJS.ProcessEnv): DevStack {
  // Exactly what `npm run dev` runs, in a process group of its own like a terminal job.
  const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'tools/stack/dev.ts')], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const stack = { child, output: () => output, exited };
  started.push(stack);
  return stack;
}

async function until(predicate: () => boolean, stack: DevStack, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (stack.child.exitCode !== null) throw new Error(`npm run dev exited early:\n${stack.output()}`);
    if (Date.now() > deadline) throw new Error(`timed out; output so far:\n${stack.output()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const portVariables = [
  'PORT',
  'NUDGE_FERRETDB_PORT',
  'NUDGE_TEMPORAL_PORT',
  'NUDGE_TEMPORAL_UI_PORT',
  'NUDGE_SMTP_PORT',
  'NUDGE_MAIL_UI_PORT',
  'NUDGE_SMS_SINK_PORT',
];

describe('npm run dev', () => {
  let dataDir: string;
  let env: NodeJS.ProcessEnv;
  let stack: DevStack;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'nudge-dev-'));
    // Journey waits ×0.0005: the example's 60 and 120 minute waits take 1.8 and 3.6 s.
    env = { NUDGE_DATA_DIR: dataDir, LOG_LEVEL: 'info', JOURNEY_WAIT_SCALE: '0.0005' };
    for (const name of portVariables) env[name] = String(await freePort());
    // The dev stack picks its own services; drop what the test setup pointed at ours.
    for (const name of ['MONGODB_URI', 'TEMPORAL_ADDRESS', 'TEMPORAL_TASK_QUEUE', 'NODE_ENV']) env[name] = undefined;
    stack = startDev(env);
    await until(() => stack.output().includes('Press Ctrl-C to stop'), stack, 240_000);
  });

  afterAll(async () => {
    // A failed test can leave a stack up; SIGINT lets it stop its own servers.
    for (const { child, exited } of started) {
      if (child.exitCode !== null || child.signalCode !== null) continue;
      process.kill(-child.pid!, 'SIGINT');
      await exited;
    }
    await rm(dataDir, { recursive: true, force: true });
  });

  it('prints every URL and passes its own self-check', () => {
    const output = stack.output();
    expect(output).toMatch(/self-check self-check-[0-9a-f-]+ passed/);
    for (const label of ['API docs', 'Temporal UI', 'Mail UI', 'SMS sink']) expect(output).toContain(label);
  });

  it('logs readable lines from the API and the worker, a request as one line', () => {
    const lines = (name: string) =>
      stripVTControlCharacters(stack.output())
        .split('\n')
        .filter((line) => line.startsWith(`[${name}] `));

    expect(lines('api')).toContainEqual(
      expect.stringMatching(/^\[api\] \[[\d:.]+\] INFO: \[NestApplication\] Nest application successfully started$/),
    );
    expect(lines('api')).toContainEqual(expect.stringMatching(/INFO: POST \/ops\/self-check 20\d \d+ms$/));
    expect(lines('worker')).toContainEqual(expect.stringMatching(/INFO: .*polling task queue nudge as nudge-worker-/));
    expect(lines('api').filter((line) => line.startsWith('[api] {'))).toEqual([]);
    // npm run dev polls /health/ready until the API is up: health probes are not logged.
    expect(lines('api').filter((line) => /: GET \/health\//.test(line))).toEqual([]);
  });

  it('answers ready with MongoDB and Temporal up, and serves the docs, Temporal UI and mail UI', async () => {
    const ready = await fetch(`http://127.0.0.1:${env.PORT}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ info: { mongodb: { status: 'up' }, temporal: { status: 'up' } } });

    // Asked as a browser asks: MailDev serves its UI only to requests that accept HTML.
    const page = async (url: string) => {
      const response = await fetch(url, { headers: { accept: 'text/html' } });
      return { status: response.status, html: await response.text() };
    };
    expect(await page(`http://127.0.0.1:${env.PORT}/docs`)).toMatchObject({
      status: 200,
      html: expect.stringContaining('swagger'),
    });
    expect(await page(`http://127.0.0.1:${env.NUDGE_TEMPORAL_UI_PORT}/`)).toMatchObject({
      status: 200,
      html: expect.stringContaining('/_app/'),
    });
    expect(await page(`http://127.0.0.1:${env.NUDGE_MAIL_UI_PORT}/`)).toMatchObject({
      status: 200,
      html: expect.stringContaining('MailDev'),
    });
    expect((await fetch(`http://127.0.0.1:${env.NUDGE_SMS_SINK_PORT}/sink/messages`)).status).toBe(200);
  });

  it('seeds the development workspace: an event sent with the printed write key is readable with the secret key', async () => {
    const output = stack.output();
    const writeKey = /Write key\s+(\S+)/.exec(output)?.[1];
    const secretKey = /Secret key\s+(\S+)/.exec(output)?.[1];
    const api = `http://127.0.0.1:${env.PORT}`;

    const tracked = await fetch(`${api}/v1/track`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Basic ${btoa(`${writeKey}:`)}` },
      body: JSON.stringify({ userId: 'dev-stack-visitor', event: 'form_start', properties: { formId: 'quote' } }),
    });
    const lead = await fetch(`${api}/v1/leads/dev-stack-visitor`, {
      headers: { authorization: `Bearer ${secretKey}` },
    });

    expect(tracked.status).toBe(200);
    expect(await lead.json()).toMatchObject({
      userId: 'dev-stack-visitor',
      rollups: { countsByType: { form_start: 1 } },
    });
  });

  it('plays `npm run demo`: the seeded journey emails the visitor who abandoned the quote form, then assigns an agent', async () => {
    const demo = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'tools/demo.ts')], {
      cwd: repoRoot,
      env: { ...process.env, ...env, DEMO_TIMEOUT_SECONDS: '120' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    demo.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    demo.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((r) => demo.once('exit', r));

    expect(code === 0 ? 'exit 0' : `exit ${code}:\n${output}`).toBe('exit 0');
    expect(output).toMatch(/Temporal UI\s+http:\/\/127\.0\.0\.1:\d+\/namespaces\/default\/workflows\?query=LeadId/);
    expect(output).toMatch(/recovery-email \(send_email\): done/);
    expect(output).toMatch(/Email\s+"Complete Your Quote" to demo-[0-9a-f]+@example\.com/);
    expect(output).toMatch(/Agent\s+\w+/);
  });

  it('sends an SMS from a trigger created over the spec API, to the Twilio-compatible sink; a STOP reply opts the lead out', async () => {
    const output = stack.output();
    const writeKey = /Write key\s+(\S+)/.exec(output)![1];
    const secretKey = /Secret key\s+(\S+)/.exec(output)![1];
    const api = `http://127.0.0.1:${env.PORT}`;
    const sink = `http://127.0.0.1:${env.NUDGE_SMS_SINK_PORT}`;
    const send = (path: string, body: unknown, auth: string) =>
      fetch(`${api}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: auth },
        body: JSON.stringify(body),
      });
    const phone = `+1555${String(Date.now()).slice(-7)}`;
    const userId = `sms-${phone.slice(1)}`;

    const trigger = await send(
      '/api/behavior/triggers',
      {
        name: 'Quote follow-up by text',
        event: 'quote_request',
        conditions: [],
        actions: [{ action: 'send_sms', parameters: { template: 'form-abandon-reminder' }, delay: 0 }],
        targetSegments: [],
        cooldown: 60,
        priority: 50,
      },
      `Bearer ${secretKey}`,
    );
    expect(trigger.status).toBe(201);
    const basic = `Basic ${btoa(`${writeKey}:`)}`;
    await send('/v1/identify', { userId, traits: { phone, firstName: 'Sam' } }, basic);
    expect((await send('/v1/track', { userId, event: 'quote_request', properties: {} }, basic)).status).toBe(200);

    let texts: { to: string; body: string }[] = [];
    for (let i = 0; i < 120 && texts.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 250));
      const all = (await (await fetch(`${sink}/sink/messages`)).json()) as { to: string; body: string }[];
      texts = all.filter((m) => m.to === phone);
    }
    expect(texts).toHaveLength(1);
    expect(texts[0].body).toContain('Sam');

    const stop = await fetch(`${sink}/sink/inbound`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ From: phone, Body: 'STOP' }).toString(),
    });
    expect(stop.status).toBe(200);
    const lead = await fetch(`${api}/v1/leads/${userId}`, { headers: { authorization: `Bearer ${secretKey}` } });
    expect(await lead.json()).toMatchObject({ unsubscribed: { sms: expect.any(String) } });
  });

  it("shows the self-check run in the Temporal UI, with Nudge's search attributes registered", async () => {
    const ui = `http://127.0.0.1:${env.NUDGE_TEMPORAL_UI_PORT}/api/v1/namespaces/default`;
    const query = encodeURIComponent('WorkflowType = "selfCheckWorkflow"');
    const runs = (await (await fetch(`${ui}/workflows?query=${query}`)).json()) as {
      executions: { execution: { workflowId: string }; status: string }[];
    };
    const workflowId = /self-check (self-check-[0-9a-f-]+) passed/.exec(stack.output())![1];
    expect(runs.executions).toContainEqual(
      expect.objectContaining({
        execution: expect.objectContaining({ workflowId }),
        status: 'WORKFLOW_EXECUTION_STATUS_COMPLETED',
      }),
    );

    const connection = await Connection.connect({ address: `127.0.0.1:${env.NUDGE_TEMPORAL_PORT}` });
    const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace: 'default' });
    await connection.close();
    expect(customAttributes).toMatchObject({
      LeadId: expect.anything(),
      JourneyId: expect.anything(),
      JourneyVersion: expect.anything(),
      Step: expect.anything(),
    });
  });

  it('refuses a second copy, naming the ports that are taken', async () => {
    const second = startDev(env);
    const code = await second.exited;

    expect(code).toBe(1);
    expect(second.output()).toMatch(new RegExp(`Port\\(s\\) already in use: Nudge API \\(${env.PORT}\\)`));
  });

  it('stops everything on Ctrl-C and exits 0', async () => {
    // A terminal's Ctrl-C signals the whole foreground process group at once.
    process.kill(-stack.child.pid!, 'SIGINT');
    const code = await stack.exited;

    expect(code).toBe(0);
    expect(stack.output()).toContain('[nudge] stopped.');
    expect(stack.output()).not.toContain('killed after not stopping');
    // Nothing left behind: every service's port is free again.
    for (const name of portVariables) expect({ [name]: await isPortFree(Number(env[name])) }).toEqual({ [name]: true });
  });

  it('stops the whole stack, exit 1, when a service dies under it', async () => {
    const again = startDev(env);
    await until(() => again.output().includes('Press Ctrl-C to stop'), again, 240_000);

    // FerretDB is a child of the dev stack; kill it the way a crash would.
    execFileSync('pkill', ['-KILL', '-f', `ferretdb --listen-addr 127.0.0.1:${env.NUDGE_FERRETDB_PORT}`]);
    const code = await again.exited;

    expect(code).toBe(1);
    expect(again.output()).toContain('[nudge] ferretdb stopped unexpectedly; stopping the stack');
    await expect(fetch(`http://127.0.0.1:${env.PORT}/health/live`)).rejects.toThrow();
  });

  it('after a SIGKILLed run, the next one stops what that left listening, and comes up', async () => {
    const killed = startDev(env);
    await until(() => killed.output().includes('Press Ctrl-C to stop'), killed, 240_000);

    // The dev process alone, as `kill -9` does: its services live on in their own groups.
    process.kill(killed.child.pid!, 'SIGKILL');
    await killed.exited;
    expect((await fetch(`http://127.0.0.1:${env.PORT}/health/live`)).status).toBe(200);
    const next = startDev(env);
    await until(() => next.output().includes('Press Ctrl-C to stop'), next, 240_000);

    const stopped = /stopped leftovers of a previous npm run dev: (.*)/.exec(next.output())?.[1];
    for (const [name, port] of [
      ['ferretdb', env.NUDGE_FERRETDB_PORT],
      ['temporal', env.NUDGE_TEMPORAL_PORT],
      ['maildev', env.NUDGE_SMTP_PORT],
      ['twilio-sink', env.NUDGE_SMS_SINK_PORT],
      ['api', env.PORT],
    ])
      expect(stopped).toMatch(new RegExp(`${name} \\(pid \\d+, ports? ${port}\\b`));
    expect(stopped).toMatch(/worker \(pid \d+\)/);
    process.kill(-next.child.pid!, 'SIGINT');
    expect(await next.exited).toBe(0);
  });
});
