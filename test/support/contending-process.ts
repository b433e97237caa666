import type { INestApplicationContext, Type } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { join } from 'node:path';
import type { AgentsService, NewAgent } from '../../src/agents/agents.service';
import type { AssignmentsService } from '../../src/agents/assignments.service';
import type { AssignAgentInput } from '../../workflows/contracts/journey-activities';
import type { FrequencyCapsService } from '../../src/messaging/delivery/frequency-caps.service';

/**
 * One of the processes that test/integration/cross-process-exactness.spec.ts races against
 * each other: `node --import tsx contending-process.ts <build dir>`. It builds the app's
 * real services from the build (`buildApp()`: Nest injects by decorator metadata, which tsx
 * does not emit), on a database connection of its own, says it is ready, and runs the jobs
 * it is sent over IPC, each job's calls all at once (up to `concurrency`), answering each
 * call's result. It exits when the test disconnects.
 */

export type Job =
  | { kind: 'createAgents'; workspaceId: string; agents: NewAgent[] }
  | { kind: 'reserve'; workspaceId: string; leadId: string; keys: string[]; concurrency?: number }
  | { kind: 'assign'; steps: AssignAgentInput[]; concurrency?: number }
  | { kind: 'close'; workspaceId: string; ids: string[]; concurrency?: number };

export type ToProcess = { id: number; job: Job };
export type FromProcess = { ready: true } | { id: number; results: unknown[] } | { id: number; error: string };

const DEFAULT_CONCURRENCY = 50;

async function main(buildDir: string): Promise<void> {
  // The compiled modules, exactly as `npm run build` emits them for the API and the worker.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const load = (path: string): Record<string, Type> => require(join(buildDir, path));
  const moduleRef = await Test.createTestingModule({
    imports: [
      load('src/config/config.module').ConfigModule,
      load('src/database/database.module').DatabaseModule,
      load('src/agents/agents.module').AgentsModule,
      load('src/messaging/messaging.module').MessagingModule,
    ],
  }).compile();
  const app: INestApplicationContext = await moduleRef.init();
  const get = <T>(path: string, name: string): T => app.get<T>(load(path)[name]);
  const agents = get<AgentsService>('src/agents/agents.service', 'AgentsService');
  const assignments = get<AssignmentsService>('src/agents/assignments.service', 'AssignmentsService');
  const caps = get<FrequencyCapsService>('src/messaging/delivery/frequency-caps.service', 'FrequencyCapsService');

  const run = (job: Job): Promise<unknown[]> => {
    switch (job.kind) {
      case 'createAgents':
        return inOrder(job.agents, (agent) => agents.create(job.workspaceId, agent));
      case 'reserve':
        return allAtOnce(job.keys, job.concurrency, async (key) => ({
          key,
          admitted: await caps.reserve(job.workspaceId, job.leadId, 'email', key, new Date()),
        }));
      case 'assign':
        return allAtOnce(job.steps, job.concurrency, async (step) => ({
          key: step.key,
          ...(await assignments.assign(step)),
        }));
      case 'close':
        return allAtOnce(job.ids, job.concurrency, async (id) => (await assignments.close(job.workspaceId, id)).status);
    }
  };

  process.on('message', (message: ToProcess) => {
    run(message.job).then(
      (results) => send({ id: message.id, results }),
      (error: unknown) =>
        send({ id: message.id, error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
    );
  });
  process.once('disconnect', () => void app.close().finally(() => process.exit(0)));
  send({ ready: true });
}

function send(message: FromProcess): void {
  process.send?.(message);
}

async function inOrder<T, R>(items: readonly T[], call: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (const item of items) results.push(await call(item));
  return results;
}

/** Every call started at once, or `concurrency` at a time, as a worker's activity slots would run them. */
async function allAtOnce<T, R>(
  items: readonly T[],
  concurrency = DEFAULT_CONCURRENCY,
  call: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await call(items[index]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, lane));
  return results;
}

const buildDir = process.argv[2];
if (!buildDir || !process.send) {
  console.error('usage: node --import tsx contending-process.ts <build dir>, spawned with an IPC channel');
  process.exit(2);
}
main(buildDir).catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
