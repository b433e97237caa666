import { spawn } from 'node:child_process';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { acceptsConnections, freePort } from '../../tools/stack/processes';
import { testStack } from './stack';

/**
 * A time-skipping Temporal test server of this test file's own (time skipping is global to
 * a server, so files must not share one), started from the installed binary.
 *
 * Why not `TestWorkflowEnvironment.createTimeSkipping({ server: { executable } })`: it gives
 * the server 5 s to come up, too little on a loaded 2-core CI machine. So we start it
 * ourselves, wait as long as it takes, and attach with time skipping on through the SDK's
 * internal factory (createFromExistingServer would turn time skipping off).
 */
export async function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment & { stopServer: () => void }> {
  const port = await freePort();
  const server = spawn(testStack().temporalTestServerPath, [String(port)], { stdio: 'ignore' });
  const deadline = Date.now() + 30_000;
  while (!(await acceptsConnections(port))) {
    if (server.exitCode !== null) throw new Error(`temporal-test-server exited with ${server.exitCode}`);
    if (Date.now() > deadline) throw new Error('temporal-test-server did not start within 30 s');
    await new Promise((r) => setTimeout(r, 100));
  }
  const create = (TestWorkflowEnvironment as unknown as { create: (opts: object) => Promise<TestWorkflowEnvironment> })
    .create;
  const env = await create.call(TestWorkflowEnvironment, {
    server: { type: 'existing' },
    address: `127.0.0.1:${port}`,
    namespace: 'default',
    supportsTimeSkipping: true,
  });
  return Object.assign(env, { stopServer: () => server.kill('SIGTERM') });
}
