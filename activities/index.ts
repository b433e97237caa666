import { createSelfCheckActivities, SelfCheckDeps } from './self-check.activities';

/** Everything activities may touch, handed in by the worker from Nest's container. */
export type ActivityDeps = SelfCheckDeps;

/** Builds every activity the worker registers; workflows proxy them by name. */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createSelfCheckActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
