/** The codes of the errors leads/ raises, as API clients see them in `error`. */
export enum LeadErrorCode {
  NotFound = 'LEAD_NOT_FOUND',
  /** A lead kept changing under concurrent writes: the events are stored, a retry counts them. */
  Busy = 'LEADS_BUSY',
}
