/** The codes of the errors events/ raises, as API clients see them in `error`. */
export enum EventErrorCode {
  BatchTooLarge = 'BATCH_TOO_LARGE',
  EventTooLarge = 'EVENT_TOO_LARGE',
  InvalidEvent = 'INVALID_EVENT',
  /** Stored, but a listener (the journeys outbox) failed: a retry hands them on, not duplicated. */
  DispatchFailed = 'DISPATCH_FAILED',
  RateLimited = 'RATE_LIMITED',
}
