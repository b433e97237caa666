import { readPath } from '../../workflows/lib/conditions';

export type AssignmentStrategy = 'round_robin' | 'least_loaded';

/** What choosing needs to know of an agent. */
export interface Candidate {
  id: string;
  active: boolean;
  traits: Record<string, unknown>;
  openAssignments: number;
  lastAssignedAt?: Date;
}

export interface AssignmentRequest {
  strategy: AssignmentStrategy;
  /** A trait path (e.g. `region`) the agent must share with the lead. */
  matchTrait?: string;
  leadTraits: Record<string, unknown>;
}

/**
 * The agent a lead goes to, or undefined when no agent is active. Pure, so every strategy
 * is tested without a database.
 *
 * - round_robin: the agent whose last assignment is oldest (never assigned counts as
 *   oldest), ties by id, so agents take turns.
 * - least_loaded: the fewest open assignments, then as round_robin.
 *
 * With `matchTrait`, only agents whose trait equals the lead's are eligible; when none
 * does (or the lead lacks the trait) every active agent is, because a lead from a region
 * nobody covers still deserves a follow-up rather than being dropped.
 */
export function chooseAgent<T extends Candidate>(agents: readonly T[], request: AssignmentRequest): T | undefined {
  const active = agents.filter((agent) => agent.active);
  const pool = matching(active, request) ?? active;
  const byTurn = (a: T, b: T) => assignedAt(a) - assignedAt(b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  const order =
    request.strategy === 'least_loaded'
      ? (a: T, b: T) => a.openAssignments - b.openAssignments || byTurn(a, b)
      : byTurn;
  return [...pool].sort(order)[0];
}

/** The agents sharing the lead's trait; undefined when matching does not apply or nobody matches. */
function matching<T extends Candidate>(agents: readonly T[], { matchTrait, leadTraits }: AssignmentRequest) {
  if (!matchTrait) return undefined;
  const wanted = readPath(leadTraits, matchTrait);
  if (wanted === undefined || wanted === null) return undefined;
  const found = agents.filter((agent) => readPath(agent.traits, matchTrait) === wanted);
  return found.length ? found : undefined;
}

const assignedAt = (agent: Candidate) => agent.lastAssignedAt?.getTime() ?? Number.NEGATIVE_INFINITY;
