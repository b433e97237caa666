import { Context } from '@temporalio/activity';
import { Client } from '@temporalio/client';
import { encodeSearchAttributeIndexedValueType } from '@temporalio/common/lib/search-attributes';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, Worker, WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { JourneyActivities, LeadFacts, SendResult } from '../../workflows/contracts/journey-activities';
import type { JourneyDefinition } from '../../workflows/contracts/journey-definition';
import { entryRules, type JourneyEntry, type LeadEvent } from '../../workflows/contracts/lead.contract';
import { searchAttributes } from '../../workflows/contracts/search-attributes';
import { createTimeSkippingEnv } from './time-skipping';

/**
 * Building blocks for the journey workflows' time-skipping tests: stub activities that
 * record their calls, events, entries and definitions, a worker per test.
 */

export const MINUTE = 60_000;

/** One call of a stub activity, with the server's (skipped) time it was scheduled at. */
export interface ActivityCall {
  name: keyof JourneyActivities;
  input: Record<string, unknown>;
  attempt: number;
  scheduledAt: number;
}

type Overrides = { [K in keyof JourneyActivities]?: (...args: Parameters<JourneyActivities[K]>) => unknown };

/**
 * Stub activities that succeed (sends are 'sent', the lead has `facts`) and record each call.
 * `overrides` replace single activities; their calls are recorded as well.
 */
export function stubActivities(overrides: Overrides = {}, facts: Partial<LeadFacts> = {}) {
  const calls: ActivityCall[] = [];
  const sent = (input: { key: string }): SendResult => ({
    status: 'sent',
    deliveryId: `d-${input.key}`,
    providerId: `p-${input.key}`,
  });
  const defaults: JourneyActivities = {
    getJourneyDefinition: ({ journeyId, version }) => {
      const definition = published.get(`${journeyId}:v${version}`);
      return definition
        ? Promise.resolve(definition)
        : Promise.reject(new Error(`${journeyId} v${version} unpublished`));
    },
    getLeadFacts: () => Promise.resolve({ traits: {}, rollups: {}, exists: true, ...facts }),
    sendEmail: (input) => Promise.resolve(sent(input)),
    sendSms: (input) => Promise.resolve(sent(input)),
    assignAgent: (input) =>
      Promise.resolve({ status: 'assigned', assignmentId: `a-${input.key}`, agentId: 'agent-1' } as const),
    createTask: (input) => Promise.resolve({ taskId: `t-${input.key}` }),
    callWebhook: () => Promise.resolve({ status: 200 }),
    updateLead: () => Promise.resolve(),
    assignJourneyVariant: () => Promise.resolve({ variantId: 'control', inExperiment: true, reason: 'assigned' }),
    recordRunStarted: () => Promise.resolve(),
    recordStep: () => Promise.resolve(),
    recordRunEnded: () => Promise.resolve(),
  };
  const activities = Object.fromEntries(
    Object.entries({ ...defaults, ...overrides }).map(([name, implementation]) => [
      name,
      (input: Record<string, unknown>) => {
        const { attempt, currentAttemptScheduledTimestampMs } = Context.current().info;
        calls.push({
          name: name as keyof JourneyActivities,
          input,
          attempt,
          scheduledAt: currentAttemptScheduledTimestampMs,
        });
        return (implementation as (input: unknown) => unknown)(input);
      },
    ]),
  );
  const callsOf = <K extends keyof JourneyActivities>(name: K) =>
    calls.filter((call) => call.name === name).map((call) => call.input as Parameters<JourneyActivities[K]>[0]);
  return { activities, calls, callsOf };
}

export const leadEvent = (messageId: string, type: string, properties: Record<string, unknown> = {}): LeadEvent => ({
  messageId,
  type,
  timestamp: '2026-06-01T12:00:00.000Z',
  properties,
});

/** Definitions "published" by journeyEntry, which the stub getJourneyDefinition serves. */
const published = new Map<string, JourneyDefinition>();

/** An entry as the trigger listener writes it (a reference and the rules); the stub serves its definition. */
export function journeyEntry(journeyId: string, definition: JourneyDefinition, waitScale = 1): JourneyEntry {
  published.set(`${journeyId}:v1`, definition);
  return { journeyId, version: 1, rules: entryRules(definition), waitScale };
}

/** A minimal definition: `steps`, triggered by `form_abandon`, with anything else `changes` says. */
export const journey = (
  steps: JourneyDefinition['steps'],
  changes: Partial<JourneyDefinition> = {},
): JourneyDefinition => ({
  name: 'Test journey',
  trigger: { event: 'form_abandon', conditions: [] },
  exitOn: [],
  reentry: 'always',
  cooldownMinutes: 0,
  priority: 50,
  steps,
  ...changes,
});

/**
 * Registers Nudge's search attributes on a time-skipping server, which (like any Temporal
 * server) rejects workflows that set unregistered ones, as production does.
 */
export async function registerSearchAttributes(env: TestWorkflowEnvironment): Promise<void> {
  await env.connection.operatorService.addSearchAttributes({
    namespace: env.namespace ?? 'default',
    searchAttributes: Object.fromEntries(
      searchAttributes.map((key) => [key.name, encodeSearchAttributeIndexedValueType(key.type) as number]),
    ),
  });
}

/**
 * A client that does not skip time. The test environment's own client skips time while it
 * awaits a result, and goes on skipping after the result, up to the next timer, until it locks
 * time again: that may be the test server's 10-year timeout of an idle lead. Tests await
 * results with this one and move time only by env.sleep, by exactly as much as they mean to.
 */
export function clientWithoutTimeSkipping(env: TestWorkflowEnvironment): Client {
  return new Client({ connection: env.connection, namespace: env.namespace });
}

/** Workflow code bundled once per spec file (bundling takes a second or two per worker). */
export function bundleWorkflows(): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows'), logger: quietLogger });
}

/** A worker for one test: its own task queue, so tests never run each other's tasks. */
export function journeyWorker(
  env: TestWorkflowEnvironment,
  workflowBundle: WorkflowBundleWithSourceMap,
  taskQueue: string,
  activities: object,
): Promise<Worker> {
  return Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle, activities });
}

const quietLogger = new DefaultLogger('WARN');

/** Polls `probe` in real time until it returns something other than undefined/false. */
export async function eventually<T>(
  probe: () => T | Promise<T>,
  timeoutMs = 20_000,
): Promise<Exclude<T, false | undefined>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value as Exclude<T, false | undefined>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${probe.toString()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export interface JourneyTestServer {
  env: Awaited<ReturnType<typeof createTimeSkippingEnv>>;
  workflowBundle: WorkflowBundleWithSourceMap;
  /** For results: time moves only by env.sleep. */
  client: Client;
}

/**
 * A time-skipping server per test, with Nudge's search attributes registered: time skipping
 * is global to a server, and a workflow task one test leaves behind (its worker gone) would
 * stop time from moving in the next. The workflows are bundled once per file.
 */
export function useJourneyTestServer(): JourneyTestServer {
  const server = {} as JourneyTestServer;
  beforeAll(async () => {
    server.workflowBundle = await bundleWorkflows();
  });
  beforeEach(async () => {
    server.env = await createTimeSkippingEnv();
    await registerSearchAttributes(server.env);
    server.client = clientWithoutTimeSkipping(server.env);
  });
  afterEach(async () => {
    await server.env?.teardown();
    server.env?.stopServer();
  });
  return server;
}
