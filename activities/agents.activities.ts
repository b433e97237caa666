import type {
  AssignAgentInput,
  AssignmentResult,
  CreateTaskInput,
  JourneyActivities,
} from '../workflows/contracts/journey-activities';

/** Hands a step's lead to an agent, once per step key; the worker hands in AssignmentsService. */
export interface AgentAssigner {
  assign(step: AssignAgentInput): Promise<AssignmentResult>;
}

/** Creates a step's task, once per step key; the worker hands in TasksService. */
export interface TaskCreator {
  createTask(step: CreateTaskInput): Promise<{ taskId: string }>;
}

export interface AgentsDeps {
  assignments: AgentAssigner;
  tasks: TaskCreator;
}

export function createAgentsActivities({ assignments, tasks }: AgentsDeps) {
  return {
    /** Assigns the lead to an agent once per step; finding no eligible agent is the `no_agent` outcome. */
    async assignAgent(input: AssignAgentInput): Promise<AssignmentResult> {
      return assignments.assign(input);
    },

    /** Creates the step's task once, for the lead's current agent if it has one. */
    async createTask(input: CreateTaskInput): Promise<{ taskId: string }> {
      return tasks.createTask(input);
    },
  } satisfies Pick<JourneyActivities, 'assignAgent' | 'createTask'>;
}
