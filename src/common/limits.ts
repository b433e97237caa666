/** Segment's limit on one request (a batch): 500 KB. */
export const MAX_BODY_BYTES = 500 * 1024;

/** A CSV file of lead ids (`text/csv`, a segment's import): 100,000 ids and a few other columns. */
export const MAX_CSV_BYTES = 8 * 1024 * 1024;

/** The limit a body of this Content-Type is read up to, decompressed. */
export const bodyLimitFor = (contentType: string | undefined, routeLimit: number) =>
  /^\s*text\/csv\b/i.test(contentType ?? '') ? MAX_CSV_BYTES : routeLimit;
