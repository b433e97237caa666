import { TypedSearchAttributes } from '@temporalio/common';
import { join } from 'node:path';
import { searchAttributes } from '../../workflows/contracts/search-attributes';
import { acceptsConnections, ProcessGroup, StartOptions, waitFor } from './processes';
import { localBin, repoRoot, run } from './run';
import { InstalledTools } from './tools';

/** How each server of the stack starts and how we know it is ready. */

type Output = StartOptions['output'];

export async function startFerretDb(
  group: ProcessGroup,
  tools: InstalledTools,
  { port, dataDir, output }: { port: number; dataDir: string; output: Output },
): Promise<string> {
  group.start('ferretdb', tools.ferretdb, ['--listen-addr', `127.0.0.1:${port}`, '--sqlite-dir', dataDir], {
    output,
    ports: [port],
  });
  await waitFor('FerretDB', () => acceptsConnections(port), { alive: () => group.assertRunning('ferretdb') });
  return `mongodb://127.0.0.1:${port}/nudge`;
}

export async function startTemporalDevServer(
  group: ProcessGroup,
  tools: InstalledTools,
  options: { port: number; uiPort?: number; dbFile?: string; output: Output },
): Promise<string> {
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(options.port), '--log-level', 'warn'];
  args.push(...(options.uiPort ? ['--ui-port', String(options.uiPort)] : ['--headless']));
  // Without a file the dev server keeps everything in memory, which is what tests want.
  if (options.dbFile) args.push('--db-filename', options.dbFile, '--sqlite-pragma', 'journal_mode=WAL');
  for (const key of searchAttributes)
    args.push('--search-attribute', `${key.name}=${TypedSearchAttributes.toMetadataType(key.type)}`);
  const ports = options.uiPort ? [options.port, options.uiPort] : [options.port];
  group.start('temporal', tools.temporal, args, { output: options.output, ports });

  const address = `127.0.0.1:${options.port}`;
  await waitFor(
    'Temporal dev server',
    async () =>
      (await run(tools.temporal, ['operator', 'cluster', 'health', '--address', address])).includes('SERVING'),
    { alive: () => group.assertRunning('temporal'), intervalMs: 500 },
  );
  return address;
}

export async function startMailDev(
  group: ProcessGroup,
  tools: InstalledTools,
  { smtpPort, webPort, output }: { smtpPort: number; webPort: number; output: Output },
): Promise<void> {
  const args = [
    tools.maildev,
    '--ip',
    '127.0.0.1',
    '--web-ip',
    '127.0.0.1',
    '--smtp',
    String(smtpPort),
    '--web',
    String(webPort),
  ];
  group.start('maildev', process.execPath, args, { output, ports: [smtpPort, webPort] });
  await waitFor('MailDev', async () => (await acceptsConnections(smtpPort)) && acceptsConnections(webPort), {
    alive: () => group.assertRunning('maildev'),
  });
}

export async function startTwilioSink(
  group: ProcessGroup,
  {
    port,
    authToken,
    inboundWebhook,
    output,
  }: { port: number; authToken: string; inboundWebhook?: string; output: Output },
): Promise<string> {
  const args = [
    '--import',
    'tsx',
    join(repoRoot, 'tools', 'twilio-sink', 'main.ts'),
    '--port',
    String(port),
    '--auth-token',
    authToken,
    ...(inboundWebhook ? ['--inbound-webhook', inboundWebhook] : []),
  ];
  group.start('twilio-sink', process.execPath, args, { output, cwd: repoRoot, ports: [port] });
  await waitFor('Twilio-compatible SMS sink', () => acceptsConnections(port), {
    alive: () => group.assertRunning('twilio-sink'),
  });
  return `http://127.0.0.1:${port}`;
}

/** The compiled API and worker (`nest build` output), started with the stack's settings. */
export async function startNudge(
  group: ProcessGroup,
  { env, apiPort, output }: { env: NodeJS.ProcessEnv; apiPort: number; output: (name: string) => Output },
): Promise<string> {
  const childEnv = { ...process.env, ...env, PORT: String(apiPort) };
  group.start('worker', process.execPath, [join(repoRoot, 'dist', 'src', 'worker.js')], {
    env: childEnv,
    output: output('worker'),
  });
  group.start('api', process.execPath, [join(repoRoot, 'dist', 'src', 'main.js')], {
    env: childEnv,
    output: output('api'),
    ports: [apiPort],
  });
  const api = `http://127.0.0.1:${apiPort}`;
  await waitFor('Nudge API (/health/ready)', async () => (await fetch(`${api}/health/ready`)).ok, {
    alive: () => (group.assertRunning('api'), group.assertRunning('worker')),
    intervalMs: 500,
  });
  return api;
}

export async function buildNudge(): Promise<void> {
  await run(localBin('nest'), ['build'], {
    cwd: repoRoot,
    hint: 'The TypeScript build failed; run `npx nest build` to see every error.',
  });
}
