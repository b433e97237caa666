/** The codes of the errors journeys/ raises, as API clients see them in `error`. */
export enum JourneyErrorCode {
  NotFound = 'JOURNEY_NOT_FOUND',
  Exists = 'JOURNEY_EXISTS',
  /** The change does not fit the journey's state (publishing a draft-less journey, …). */
  Conflict = 'JOURNEY_CONFLICT',
}
