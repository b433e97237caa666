import { Client, Connection } from '@temporalio/client';
import { testStack } from './stack';

/**
 * Starts the real worker before this file's tests, with a Temporal client to inspect what it
 * runs, and stops both after them. Read `temporal` inside tests, once beforeAll has run.
 */
export function useWorker(): { temporal: Client } {
  const running = {} as { temporal: Client };
  let stop: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    // Imported here, as useApi does: specs may set the environment before the app's modules load.
    const { startWorker } = await import('./nudge');
    ({ stop } = await startWorker());
    running.temporal = new Client({ connection: await Connection.connect({ address: testStack().temporalAddress }) });
  });
  afterAll(async () => {
    await stop?.();
    await running.temporal?.connection.close();
  });
  return running;
}
