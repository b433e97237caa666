import { randomBytes } from 'node:crypto';
import { testStack } from './stack';

// Runs before each integration file's imports (Nest's ConfigModule reads the environment
// when it is imported). Fails every file at once, with the reason, when the servers are
// missing; gives each file a database and task queue of its own, so files running in
// parallel never read each other's data or steal each other's workflow tasks.
const stack = testStack();
const suffix = `${process.pid}_${randomBytes(4).toString('hex')}`;
const database = new URL(stack.mongodbUri);
database.pathname = `/test_${suffix}`;

Object.assign(process.env, {
  NODE_ENV: 'test',
  LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
  MONGODB_URI: database.toString(),
  TEMPORAL_ADDRESS: stack.temporalAddress,
  TEMPORAL_TASK_QUEUE: `test-${suffix}`,
});
