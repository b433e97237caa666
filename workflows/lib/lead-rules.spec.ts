import type { EntryRules, JourneyEntry, LeadJourneyHistory } from '../contracts/lead.contract';
import { admit, appendBounded, byPriority, rememberMessage } from './lead-rules';

const HOUR = 3_600_000;
const entry = (journeyId: string, changes: Partial<EntryRules> = {}): JourneyEntry => ({
  journeyId,
  version: 1,
  rules: { reentry: 'after_exit', cooldownMinutes: 1440, priority: 50, ...changes },
  waitScale: 1,
});
const history = (changes: Partial<LeadJourneyHistory> = {}): LeadJourneyHistory => ({
  lastEnteredAt: 0,
  entries: 1,
  activeRuns: [],
  ...changes,
});

describe('lead rules', () => {
  describe('admit', () => {
    const now = 100 * HOUR;

    it('starts a journey the lead has never entered', () => {
      expect(admit(undefined, entry('j', { reentry: 'never', cooldownMinutes: 1440 }), now)).toBe('started');
    });

    it('holds the cooldown from the last entry, to the millisecond', () => {
      const sut = entry('j', { reentry: 'always', cooldownMinutes: 1440 });

      expect(admit(history({ lastEnteredAt: now - 24 * HOUR + 1 }), sut, now)).toBe('cooldown');
      expect(admit(history({ lastEnteredAt: now - 24 * HOUR }), sut, now)).toBe('started');
    });

    it('applies re-entry rules before the cooldown', () => {
      const recent = { lastEnteredAt: now - 1 };

      expect(admit(history(recent), entry('j', { reentry: 'never' }), now)).toBe('already_entered');
      expect(admit(history({ ...recent, activeRuns: ['r1'] }), entry('j', { reentry: 'after_exit' }), now)).toBe(
        'already_active',
      );
      expect(admit(history(recent), entry('j', { reentry: 'after_exit' }), now)).toBe('cooldown');
    });

    it('lets after_exit re-enter once the run ended and the cooldown passed, and always even while one runs', () => {
      const old = { lastEnteredAt: now - 25 * HOUR };

      expect(admit(history(old), entry('j', { reentry: 'after_exit' }), now)).toBe('started');
      expect(admit(history({ ...old, activeRuns: ['r1'] }), entry('j', { reentry: 'always' }), now)).toBe('started');
      expect(admit(history({ ...old, entries: 3 }), entry('j', { reentry: 'never' }), now)).toBe('already_entered');
    });

    it('reads a cooldown of 0 as none', () => {
      expect(admit(history({ lastEnteredAt: now }), entry('j', { reentry: 'always', cooldownMinutes: 0 }), now)).toBe(
        'started',
      );
    });
  });

  it('orders entries by priority, highest first, then by journey id', () => {
    const entries = [entry('b', { priority: 10 }), entry('c', { priority: 80 }), entry('a', { priority: 10 })];

    expect(byPriority(entries).map((e) => e.journeyId)).toEqual(['c', 'a', 'b']);
    expect(entries.map((e) => e.journeyId)).toEqual(['b', 'c', 'a']);
  });

  it('remembers messageIds, says which are new, and forgets the oldest past the limit', () => {
    const seen: string[] = [];

    expect(['m1', 'm2', 'm1', 'm3', 'm4'].map((id) => rememberMessage(seen, id, 3))).toEqual([
      true,
      true,
      false,
      true,
      true,
    ]);
    expect(seen).toEqual(['m2', 'm3', 'm4']);
    expect(rememberMessage(seen, 'm1', 3)).toBe(true);
  });

  it('keeps a bounded list', () => {
    const list = [1, 2];
    appendBounded(list, 3, 2);

    expect(list).toEqual([2, 3]);
  });
});
