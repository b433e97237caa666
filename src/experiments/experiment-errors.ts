/** The codes of the errors experiments/ raises, as API clients see them in `error`. */
export enum ExperimentErrorCode {
  NotFound = 'EXPERIMENT_NOT_FOUND',
  Exists = 'EXPERIMENT_EXISTS',
  /** Another change landed between reading the experiment and writing this one. */
  Changed = 'EXPERIMENT_CHANGED',
  /** The status cannot go from the current one to the one asked for. */
  InvalidTransition = 'EXPERIMENT_INVALID_TRANSITION',
}
