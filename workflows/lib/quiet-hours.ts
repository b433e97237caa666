import type { QuietHours } from '../contracts/journey-definition';

/**
 * Quiet hours in a lead's own time zone. Pure and deterministic (Intl's tz data only), so
 * the journey workflow calls it with workflow time. DST-safe: wall-clock times are turned
 * into instants through the zone's actual offsets, never by adding 24 h.
 */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** `timeZone` when Intl knows it, else UTC (a lead's trait may be missing or misspelt). */
export function resolveTimeZone(timeZone: string | undefined): string {
  if (!timeZone) return 'UTC';
  try {
    formatter(timeZone);
    return timeZone;
  } catch {
    return 'UTC';
  }
}

/**
 * When the quiet window that `now` falls in ends (epoch ms), or null when `now` is outside
 * it. `start` after `end` spans midnight (21:00–08:00); `start` equal to `end` is no window.
 */
export function quietHoursEnd(now: number, quiet: QuietHours, timeZone: string): number | null {
  const start = minutesOfDay(quiet.start);
  const end = minutesOfDay(quiet.end);
  const local = wallClock(now, timeZone);
  const minutes = local.hour * 60 + local.minute;
  const inWindow = start < end ? minutes >= start && minutes < end : minutes >= start || minutes < end;
  if (start === end || !inWindow) return null;
  // A window spanning midnight, entered before midnight, ends tomorrow; otherwise today.
  const days = start > end && minutes >= start ? 1 : 0;
  return instantOf(Date.UTC(local.year, local.month - 1, local.day + days, 0, end), timeZone, now);
}

/**
 * The first instant after `after` whose wall-clock time in `timeZone` is `wall` (a local
 * date-time written as if UTC). Around a DST change the zone's offset on either side is
 * tried; when the time does not exist (skipped by a spring-forward), the change itself.
 */
function instantOf(wall: number, timeZone: string, after: number): number {
  const offsets = new Set([-14, 0, 14].map((hours) => offsetAt(wall + hours * HOUR, timeZone)));
  const candidates = [...offsets].map((offset) => wall - offset);
  const exact = candidates.filter((t) => t > after && t + offsetAt(t, timeZone) === wall);
  if (exact.length > 0) return Math.min(...exact);
  // Skipped: local time jumps over `wall`, so the window ends at the jump (still after `after`,
  // which is inside the window, i.e. before it).
  let lo = Math.min(...candidates);
  let hi = Math.max(...candidates);
  const before = offsetAt(lo, timeZone);
  while (hi - lo > MINUTE) {
    const mid = lo + Math.floor((hi - lo) / 2 / MINUTE) * MINUTE;
    if (offsetAt(mid, timeZone) === before) lo = mid;
    else hi = mid;
  }
  return hi;
}

/** The zone's UTC offset (ms) at `instant`. */
function offsetAt(instant: number, timeZone: string): number {
  const t = Math.floor(instant / MINUTE) * MINUTE;
  const { year, month, day, hour, minute } = wallClock(t, timeZone);
  return Date.UTC(year, month - 1, day, hour, minute) - t;
}

interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
}

function wallClock(instant: number, timeZone: string): WallClock {
  const parts: Record<string, number> = {};
  for (const { type, value } of formatter(timeZone).formatToParts(instant)) parts[type] = Number(value);
  // Some ICU versions write midnight as 24 even with h23.
  return { year: parts.year, month: parts.month, day: parts.day, hour: parts.hour % 24, minute: parts.minute };
}

function minutesOfDay(hhmm: string): number {
  const [hours, minutes] = hhmm.split(':').map(Number);
  return hours * 60 + minutes;
}

// Building a DateTimeFormat is costly; one per zone is plenty (they hold no mutable state).
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
    });
    formatters.set(timeZone, format);
  }
  return format;
}
