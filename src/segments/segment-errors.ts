/** The codes of the errors segments/ raises, as API clients see them in `error`. */
export enum SegmentErrorCode {
  NotFound = 'SEGMENT_NOT_FOUND',
  Exists = 'SEGMENT_EXISTS',
  /** Another change landed between reading the segment and writing this one. */
  Changed = 'SEGMENT_CHANGED',
}
