import { admit, CAP_WINDOW_MS, CapEntry, release } from './frequency-cap';

const now = new Date('2026-05-01T12:00:00Z');
const ago = (ms: number) => new Date(now.getTime() - ms);
const hours = (n: number) => n * 60 * 60 * 1000;

describe('admit', () => {
  it('admits and counts a send while under the cap', () => {
    const entries: CapEntry[] = [{ key: 'a', at: ago(hours(1)) }];

    const sut = admit(entries, 'b', now, 2);

    expect(sut).toEqual({
      admitted: true,
      changed: true,
      entries: [
        { key: 'a', at: ago(hours(1)) },
        { key: 'b', at: now },
      ],
    });
  });

  it('refuses a send once the cap is reached within 24 hours', () => {
    const entries: CapEntry[] = [
      { key: 'a', at: ago(hours(23)) },
      { key: 'b', at: ago(hours(1)) },
    ];

    expect(admit(entries, 'c', now, 2)).toEqual({ admitted: false, entries });
  });

  it('admits a retry of a key already counted, without counting it again, even at the cap', () => {
    const entries: CapEntry[] = [
      { key: 'a', at: ago(hours(2)) },
      { key: 'b', at: ago(hours(1)) },
    ];

    expect(admit(entries, 'b', now, 2)).toEqual({ admitted: true, changed: false, entries });
  });

  it('is a rolling window: a send exactly 24 hours old no longer counts', () => {
    const entries: CapEntry[] = [
      { key: 'old', at: ago(CAP_WINDOW_MS) },
      { key: 'a', at: ago(hours(3)) },
    ];

    const sut = admit(entries, 'b', now, 2);

    expect(sut).toMatchObject({ admitted: true, changed: true });
    expect(sut.entries.map((entry) => entry.key)).toEqual(['a', 'b']);
  });

  it('reports pruning as a change even for a key already counted', () => {
    const entries: CapEntry[] = [
      { key: 'old', at: ago(hours(30)) },
      { key: 'a', at: ago(hours(1)) },
    ];

    expect(admit(entries, 'a', now, 1)).toEqual({ admitted: true, changed: true, entries: [entries[1]] });
  });
});

describe('release', () => {
  it('gives back the slot of a send that never went out', () => {
    const entries: CapEntry[] = [
      { key: 'a', at: ago(hours(1)) },
      { key: 'b', at: now },
    ];

    expect(release(entries, 'b')).toEqual([entries[0]]);
  });
});
