import { mkdir } from 'node:fs/promises';
import { validateEnv } from '../../src/config/env.schema';
import { join } from 'node:path';
import { describeProcesses, isSameProcess, npmLaunchers, StackRecord, stopLeftovers } from './leftovers';
import { portSettings, stackPorts } from './ports';
import { isPortFree, ProcessGroup } from './processes';
import { repoRoot } from './run';
import {
  buildNudge,
  startFerretDb,
  startMailDev,
  startNudge,
  startTemporalDevServer,
  startTwilioSink,
} from './services';
import { ensureTools } from './tools';

/**
 * `npm run dev`: installs what is missing, starts the whole local stack, proves it works
 * end to end with a self-check, prints the URLs, and stops everything on Ctrl-C.
 */
const env = process.env;
const ports = stackPorts(env);
const dataDir = env.NUDGE_DATA_DIR ?? join(repoRoot, '.data');
const twilioAuthToken = env.TWILIO_AUTH_TOKEN ?? 'dev-auth-token';
const log = (line: string) => console.log(`[nudge] ${line}`);
/** Journey waits in the local stack, unless JOURNEY_WAIT_SCALE says otherwise: demos should not take hours. */
const DEMO_WAIT_SCALE = '0.01';
/** Every process this run starts, so that the next run can stop them if this one is SIGKILLed. */
const record = new StackRecord(join(dataDir, 'dev-processes.json'));

async function main(group: ProcessGroup): Promise<void> {
  const previous = await stopLeftovers(record.file);
  if (previous.kind === 'stopped')
    log(`stopped leftovers of a previous npm run dev: ${describeProcesses(previous.services)}`);
  const otherRun = previous.kind === 'running' ? previous.owner.pid : undefined;
  await refuseTakenPorts(otherRun);
  if (otherRun !== undefined)
    throw new Error(
      `Another \`npm run dev\` (pid ${otherRun}) is running on the data folder ${dataDir}.\n` +
        `Stop it (Ctrl-C in its terminal, or \`kill ${otherRun}\`), or give this one its own NUDGE_DATA_DIR.`,
    );
  stopWhenNpmIsKilled();
  const tools = await ensureTools(log);
  log('building the API and worker…');
  await buildNudge();
  await mkdir(dataDir, { recursive: true });

  log('starting FerretDB, Temporal, MailDev and the SMS sink…');
  const prefixed = (name: string) => ({ prefix: `[${name}]` });
  const [mongodbUri, temporalAddress, , twilioApiUrl] = await Promise.all([
    startFerretDb(group, tools, {
      port: ports.FerretDB,
      dataDir: join(dataDir, 'ferretdb'),
      output: prefixed('ferretdb'),
    }),
    startTemporalDevServer(group, tools, {
      port: ports['Temporal gRPC'],
      uiPort: ports['Temporal UI'],
      dbFile: join(dataDir, 'temporal.db'),
      output: prefixed('temporal'),
    }),
    startMailDev(group, tools, {
      smtpPort: ports['MailDev SMTP'],
      webPort: ports['MailDev UI'],
      output: prefixed('maildev'),
    }),
    startTwilioSink(group, {
      port: ports['SMS sink'],
      authToken: twilioAuthToken,
      // Replies (STOP…) reach Nudge's webhook signed, as Twilio would send them.
      inboundWebhook: `http://127.0.0.1:${ports['Nudge API']}/v1/sms/inbound`,
      output: prefixed('twilio-sink'),
    }),
  ]);

  log('starting the API and the worker…');
  const api = await startNudge(group, {
    apiPort: ports['Nudge API'],
    output: prefixed,
    env: {
      MONGODB_URI: mongodbUri,
      TEMPORAL_ADDRESS: temporalAddress,
      SMTP_URL: `smtp://127.0.0.1:${ports['MailDev SMTP']}`,
      TWILIO_API_URL: twilioApiUrl,
      TWILIO_AUTH_TOKEN: twilioAuthToken,
      PUBLIC_URL: `http://127.0.0.1:${ports['Nudge API']}`,
      // ×0.01: the example journey's 60 and 120 minute waits take 36 and 72 seconds.
      JOURNEY_WAIT_SCALE: env.JOURNEY_WAIT_SCALE ?? DEMO_WAIT_SCALE,
      // Readable lines on this terminal; coloured when it is one (their stdout is our pipe).
      LOG_FORMAT: env.LOG_FORMAT ?? 'pretty',
      FORCE_COLOR: env.FORCE_COLOR ?? (process.stdout.isTTY && env.NO_COLOR === undefined ? '1' : undefined),
    },
  });

  const check = await fetch(`${api}/ops/self-check`, { method: 'POST' });
  if (!check.ok) throw new Error(`self-check failed (${check.status}): ${await check.text()}`);
  const { workflowId } = (await check.json()) as { workflowId: string };
  // The API seeded the development workspace with these keys (config defaults unless set).
  const { DEV_WRITE_KEY: writeKey, DEV_SECRET_KEY: secretKey } = validateEnv(process.env);

  console.log(`
Nudge is running (self-check ${workflowId} passed: API → Temporal → worker → MongoDB).

  API            ${api}
  API docs       ${api}/docs
  Temporal UI    http://127.0.0.1:${ports['Temporal UI']}
  Mail UI        http://127.0.0.1:${ports['MailDev UI']}
  SMS sink       ${twilioApiUrl}/sink/messages
  MongoDB        ${mongodbUri}
  Temporal gRPC  ${temporalAddress}
  Data           ${dataDir}

  Write key      ${writeKey}   (send events: HTTP Basic user, or "writeKey" in the body)
  Secret key     ${secretKey}   (read leads: Authorization: Bearer)

  Try it:
    curl -u ${writeKey}: ${api}/v1/track -H 'content-type: application/json' \\
      -d '{"userId":"ada","event":"form_start","properties":{"formId":"quote"}}'
    curl -H 'Authorization: Bearer ${secretKey}' ${api}/v1/leads/ada

  Watch a journey: npm run demo   (a visitor abandons the quote form; journey waits ×${env.JOURNEY_WAIT_SCALE ?? DEMO_WAIT_SCALE})

Press Ctrl-C to stop.
`);
  group.superviseWith((name, tail) => {
    console.error(`\n[nudge] ${name} stopped unexpectedly; stopping the stack. Its last output:\n${tail}\n`);
    void stop(1);
  });
}

async function refuseTakenPorts(otherRun?: number): Promise<void> {
  const taken = [];
  for (const [what, number] of Object.entries(ports))
    if (!(await isPortFree(number))) taken.push(`${what} (${number})`);
  if (taken.length === 0) return;
  const variables = Object.values(portSettings).map(([variable]) => variable);
  const holder =
    otherRun === undefined
      ? 'Stop whatever holds them (another `npm run dev`?)'
      : `Another \`npm run dev\` (pid ${otherRun}) may hold them: stop it (Ctrl-C in its terminal, or \`kill ${otherRun}\`)`;
  throw new Error(
    `Port(s) already in use: ${taken.join(', ')}.\n${holder}, or choose others with ${variables.join(', ')}.`,
  );
}

/** A SIGKILLed npm leaves us running with no terminal to Ctrl-C us: stop the stack ourselves. */
function stopWhenNpmIsKilled(): void {
  const launchers = npmLaunchers();
  if (launchers.length === 0) return;
  const watch = setInterval(() => {
    if (launchers.every((launcher) => isSameProcess(launcher))) return;
    clearInterval(watch);
    log('npm, which started this run, is gone; stopping the stack.');
    void stop(1);
  }, 1_000).unref();
}

const group = new ProcessGroup(record);
process.on('exit', () => {
  group.killAllNow();
  record.clear();
});
// A closed terminal hangs up: stop cleanly, and don't fail writing to a terminal that is gone.
for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);
let stopping = false;
async function stop(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    log('stopping…');
    const killed = await group.stopAll();
    if (killed.length > 0) log(`killed after not stopping within 10 s: ${killed.join(', ')}`);
    log('stopped.');
  }
  process.exit(code);
}
process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));
process.on('SIGHUP', () => void stop(0));
main(group).catch((error: Error) => {
  console.error(`\n[nudge] ${error.message}\n`);
  void stop(1);
});
