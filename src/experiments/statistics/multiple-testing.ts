/**
 * Adjusted p-values for several comparisons read together (variants × metrics), in the
 * input's order, as R's `p.adjust` gives them.
 */

/** Holm's step-down correction: controls the family-wise error rate. */
export function holm(pValues: readonly number[]): number[] {
  const m = pValues.length;
  const order = ranked(pValues);
  const adjusted = new Array<number>(m);
  let running = 0;
  order.forEach((index, rank) => {
    running = Math.max(running, Math.min(1, (m - rank) * pValues[index]));
    adjusted[index] = running;
  });
  return adjusted;
}

/** Benjamini–Hochberg step-up correction: controls the false discovery rate. */
export function benjaminiHochberg(pValues: readonly number[]): number[] {
  const m = pValues.length;
  const order = ranked(pValues);
  const adjusted = new Array<number>(m);
  let running = 1;
  for (let rank = m - 1; rank >= 0; rank--) {
    const index = order[rank];
    running = Math.min(running, (m / (rank + 1)) * pValues[index]);
    adjusted[index] = running;
  }
  return adjusted;
}

/** Indexes of the p-values from smallest to largest. */
function ranked(pValues: readonly number[]): number[] {
  return pValues.map((_, i) => i).sort((a, b) => pValues[a] - pValues[b]);
}
