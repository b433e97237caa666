/** The codes of the errors self-check/ raises, as API clients see them in `error`. */
export enum SelfCheckErrorCode {
  TemporalUnavailable = 'TEMPORAL_UNAVAILABLE',
  TimedOut = 'SELF_CHECK_TIMED_OUT',
  Failed = 'SELF_CHECK_FAILED',
}
