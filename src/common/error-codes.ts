/**
 * The codes of the errors common/ raises or renders, as API clients see them in `error`.
 * Each feature declares its own beside its code (LeadErrorCode, JourneyErrorCode, …).
 */
export enum CommonErrorCode {
  ValidationFailed = 'VALIDATION_FAILED',
  PayloadTooLarge = 'PAYLOAD_TOO_LARGE',
  UnsupportedMediaType = 'UNSUPPORTED_MEDIA_TYPE',
  UnsupportedContentEncoding = 'UNSUPPORTED_CONTENT_ENCODING',
  MalformedJson = 'MALFORMED_JSON',
  MalformedBody = 'MALFORMED_BODY',
  RouteNotFound = 'NOT_FOUND',
  DatabaseUnavailable = 'DATABASE_UNAVAILABLE',
  Internal = 'INTERNAL_ERROR',
}
