/** Escapes a user-chosen name (an event type, a group id) for use as a MongoDB field name. */
export function encodeKey(key: string): string {
  return key.replace(/%/g, '%25').replace(/\./g, '%2E').replace(/^\$/, '%24').replace(/\0/g, '%00');
}

export function decodeKey(key: string): string {
  return key.replace(/%(25|2E|24|00)/g, (escape) => decoded[escape]);
}

const decoded: Record<string, string> = { '%25': '%', '%2E': '.', '%24': '$', '%00': '\0' };
