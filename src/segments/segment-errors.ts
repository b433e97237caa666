/** The codes of the errors segments/ raises, as API clients see them in `error`. */
export enum SegmentErrorCode {
  NotFound = 'SEGMENT_NOT_FOUND',
  TemplateNotFound = 'SEGMENT_TEMPLATE_NOT_FOUND',
  Exists = 'SEGMENT_EXISTS',
  /** Another change landed between reading the segment and writing this one. */
  Changed = 'SEGMENT_CHANGED',
  /** Leads kept changing while their membership was evaluated; the request or activity retries. */
  Busy = 'SEGMENT_BUSY',
  /** Temporal could not be reached to start a recalculation. */
  RecalculationUnavailable = 'SEGMENT_RECALCULATION_UNAVAILABLE',
}
