/** One UTC day of a segment's history: who entered, who left, and the members at its end. */
export interface GrowthDay {
  date: string;
  entered: number;
  exited: number;
  members: number;
}

const DAY_MS = 86_400_000;
const dayOf = (time: Date) => time.toISOString().slice(0, 10);

/** The first instant of the earliest of the last `days` UTC days, today included. */
export const growthStart = (now: Date, days: number) =>
  new Date(Date.parse(`${dayOf(now)}T00:00:00.000Z`) - (days - 1) * DAY_MS);

/**
 * Daily growth over the last `days` UTC days, oldest first, from the segment's changes in
 * that time and its members now: members at the end of a day are those now, less those who
 * entered after it, plus those who left after it. Pure, so its arithmetic is unit-tested.
 */
export function dailyGrowth(
  changes: Iterable<{ change: 'entered' | 'exited'; at: Date }>,
  membersNow: number,
  now: Date,
  days: number,
): GrowthDay[] {
  const start = growthStart(now, days).getTime();
  const growth: GrowthDay[] = Array.from({ length: days }, (_, i) => ({
    date: dayOf(new Date(start + i * DAY_MS)),
    entered: 0,
    exited: 0,
    members: 0,
  }));
  for (const { change, at } of changes) {
    const day = growth[Math.floor((at.getTime() - start) / DAY_MS)];
    if (day) day[change]++;
  }
  let members = membersNow;
  for (let i = growth.length - 1; i >= 0; i--) {
    growth[i].members = members;
    members += growth[i].exited - growth[i].entered;
  }
  return growth;
}
