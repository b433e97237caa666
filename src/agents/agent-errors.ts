/** The codes of the errors agents/ raises, as API clients see them in `error`. */
export enum AgentErrorCode {
  AgentNotFound = 'AGENT_NOT_FOUND',
  AgentExists = 'AGENT_EXISTS',
  TaskNotFound = 'TASK_NOT_FOUND',
  AssignmentNotFound = 'ASSIGNMENT_NOT_FOUND',
  AssignmentConflict = 'ASSIGNMENT_CONFLICT',
}
