/** One send counted against a lead's cap on a channel, keyed by its delivery. */
export interface CapEntry {
  key: string;
  at: Date;
}

export const CAP_WINDOW_MS = 24 * 60 * 60 * 1000;

export type CapDecision =
  { admitted: true; entries: CapEntry[]; changed: boolean } | { admitted: false; entries: CapEntry[] };

/**
 * Whether one more send (`key`) fits the rolling window's cap, and the entries to store if
 * so. A key already counted is admitted again without counting twice, so a retried send
 * never caps itself. Entries that left the window are dropped, keeping the list at most
 * `cap` long.
 */
export function admit(entries: readonly CapEntry[], key: string, now: Date, cap: number): CapDecision {
  const since = now.getTime() - CAP_WINDOW_MS;
  const recent = entries.filter((entry) => entry.at.getTime() > since);
  if (recent.some((entry) => entry.key === key)) {
    return { admitted: true, entries: recent, changed: recent.length !== entries.length };
  }
  if (recent.length >= cap) return { admitted: false, entries: recent };
  return { admitted: true, entries: [...recent, { key, at: now }], changed: true };
}

/** The entries without `key`: a send that never went out gives its slot back. */
export function release(entries: readonly CapEntry[], key: string): CapEntry[] {
  return entries.filter((entry) => entry.key !== key);
}
