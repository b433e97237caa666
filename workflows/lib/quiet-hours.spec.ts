import { quietHoursEnd, resolveTimeZone } from './quiet-hours';

const at = (iso: string) => Date.parse(iso);
const end = (now: string, start: string, finish: string, zone: string) => {
  const until = quietHoursEnd(at(now), { start, end: finish }, zone);
  return until === null ? null : new Date(until).toISOString();
};

describe('quiet hours', () => {
  it('is not quiet outside the window, nor at its very end', () => {
    expect(end('2026-06-01T12:00:00Z', '21:00', '08:00', 'UTC')).toBeNull();
    expect(end('2026-06-01T08:00:00Z', '21:00', '08:00', 'UTC')).toBeNull();
    expect(end('2026-06-01T20:59:00Z', '21:00', '08:00', 'UTC')).toBeNull();
  });

  it('ends a window spanning midnight tomorrow when entered in the evening, today after midnight', () => {
    expect(end('2026-06-01T21:00:00Z', '21:00', '08:00', 'UTC')).toBe('2026-06-02T08:00:00.000Z');
    expect(end('2026-06-01T03:00:00Z', '21:00', '08:00', 'UTC')).toBe('2026-06-01T08:00:00.000Z');
  });

  it('handles a window within one day', () => {
    expect(end('2026-06-01T12:30:00Z', '12:00', '13:15', 'UTC')).toBe('2026-06-01T13:15:00.000Z');
    expect(end('2026-06-01T13:15:00Z', '12:00', '13:15', 'UTC')).toBeNull();
  });

  it("reads the window in the lead's zone, half-hour offsets included", () => {
    // 23:00 in New York (EDT, UTC-4) is quiet until 08:00 there, 12:00 UTC.
    expect(end('2026-06-02T03:00:00Z', '21:00', '08:00', 'America/New_York')).toBe('2026-06-02T12:00:00.000Z');
    // 01:30 in Kolkata (UTC+5:30) ends at 08:00 there, 02:30 UTC.
    expect(end('2026-06-01T20:00:00Z', '21:00', '08:00', 'Asia/Kolkata')).toBe('2026-06-02T02:30:00.000Z');
    // Noon UTC is 22:00 in Sydney: quiet until 08:00, 22:00 UTC.
    expect(end('2026-06-01T12:00:00Z', '21:00', '08:00', 'Australia/Sydney')).toBe('2026-06-01T22:00:00.000Z');
  });

  it('ends at the right instant across DST changes, the night being 1 h shorter or longer', () => {
    // 22:00 EST on 7 March; clocks spring forward overnight: 08:00 EDT is 12:00 UTC, not 13:00.
    expect(end('2026-03-08T03:00:00Z', '21:00', '08:00', 'America/New_York')).toBe('2026-03-08T12:00:00.000Z');
    // 23:00 EDT on 31 October; clocks fall back overnight: 08:00 EST is 13:00 UTC.
    expect(end('2026-11-01T03:00:00Z', '21:00', '08:00', 'America/New_York')).toBe('2026-11-01T13:00:00.000Z');
    // Europe: 22:00 GMT on 28 March in London; 08:00 BST is 07:00 UTC.
    expect(end('2026-03-28T22:00:00Z', '21:00', '08:00', 'Europe/London')).toBe('2026-03-29T07:00:00.000Z');
  });

  it('ends when the clock jumps if the end time is skipped, and at its next occurrence if it repeats', () => {
    // 02:30 does not exist in New York on 8 March 2026: 01:59 EST is followed by 03:00 EDT (07:00 UTC).
    expect(end('2026-03-08T06:45:00Z', '01:00', '02:30', 'America/New_York')).toBe('2026-03-08T07:00:00.000Z');
    // 01:10 EST, the second 01:10 of 1 November: the window ends at the second 01:30 (06:30 UTC).
    expect(end('2026-11-01T06:10:00Z', '01:00', '01:30', 'America/New_York')).toBe('2026-11-01T06:30:00.000Z');
    // The first 01:10 (EDT): it ends at the first 01:30 (05:30 UTC).
    expect(end('2026-11-01T05:10:00Z', '01:00', '01:30', 'America/New_York')).toBe('2026-11-01T05:30:00.000Z');
  });

  it('reads a window whose start equals its end as none', () => {
    expect(end('2026-06-01T12:00:00Z', '12:00', '12:00', 'UTC')).toBeNull();
  });

  it('falls back to UTC for a missing or unknown zone', () => {
    expect(resolveTimeZone(undefined)).toBe('UTC');
    expect(resolveTimeZone('')).toBe('UTC');
    expect(resolveTimeZone('Mars/Olympus_Mons')).toBe('UTC');
    expect(resolveTimeZone('Europe/Paris')).toBe('Europe/Paris');
  });
});
