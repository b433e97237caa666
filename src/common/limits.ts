/** Segment's limit on one request (a batch): 500 KB. */
export const MAX_BODY_BYTES = 500 * 1024;
