/** How long an API request waits for Temporal to take a change the answer does not depend on. */
export const TEMPORAL_WAIT_MS = 2_000;

/**
 * Waits for `call` at most `ms`. With Temporal down its client retries for many seconds,
 * and a request whose answer does not depend on the call (the database already holds the
 * change, and the next API start syncs it) should not wait that long: past `ms` the call
 * goes on in the background, and `late` says so. `call` must handle its own failure.
 */
export async function waitBriefly(call: Promise<void>, late: () => void, ms = TEMPORAL_WAIT_MS): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const waited = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), ms);
  });
  try {
    if ((await Promise.race([call, waited])) === 'late') late();
  } finally {
    clearTimeout(timer);
  }
}
