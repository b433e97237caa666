import { dailyGrowth, growthStart } from './segment-growth';

describe('dailyGrowth', () => {
  const now = new Date('2026-12-03T10:00:00Z');
  const at = (iso: string) => new Date(iso);

  it('starts at the first instant of the earliest UTC day, today included', () => {
    expect(growthStart(now, 1).toISOString()).toBe('2026-12-03T00:00:00.000Z');
    expect(growthStart(now, 3).toISOString()).toBe('2026-12-01T00:00:00.000Z');
  });

  it('counts changes per UTC day and works members back from the count now', () => {
    const growth = dailyGrowth(
      [
        { change: 'entered', at: at('2026-12-01T00:00:00Z') },
        { change: 'entered', at: at('2026-12-01T23:59:59.999Z') },
        { change: 'entered', at: at('2026-12-03T09:00:00Z') },
        { change: 'exited', at: at('2026-12-03T09:30:00Z') },
        { change: 'exited', at: at('2026-12-02T12:00:00Z') },
      ],
      5,
      now,
      3,
    );

    expect(growth).toEqual([
      { date: '2026-12-01', entered: 2, exited: 0, members: 6 },
      { date: '2026-12-02', entered: 0, exited: 1, members: 5 },
      { date: '2026-12-03', entered: 1, exited: 1, members: 5 },
    ]);
  });

  it('leaves out changes before the first day', () => {
    const growth = dailyGrowth([{ change: 'entered', at: at('2026-11-30T23:59:59Z') }], 1, now, 2);

    expect(growth).toEqual([
      { date: '2026-12-02', entered: 0, exited: 0, members: 1 },
      { date: '2026-12-03', entered: 0, exited: 0, members: 1 },
    ]);
  });
});
