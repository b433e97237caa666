import { SessionState } from './lead.model';
import {
  buildRollups,
  LeadActivity,
  LeadRollup,
  rememberedKeys,
  REMEMBERED_ROLLUP_KEYS,
  RollupBase,
  rollupKey,
} from './rollups';

type Activity = LeadActivity & { rollupKey: string };

const now = new Date('2026-03-01T12:00:00Z');

let nextEvent = 0;

function activity(overrides: Partial<Activity> = {}): Activity {
  return {
    eventId: `src:msg-${++nextEvent}`,
    rollupKey: 'key-1',
    leadId: 'lead-1',
    timestamp: new Date('2026-03-01T10:00:00Z'),
    receivedAt: new Date('2026-03-01T10:00:05Z'),
    eventType: 'page_view',
    ...overrides,
  };
}

const noSessions = new Map<string, SessionState | undefined>();

const noStates = new Map<string, RollupBase>();

function rollupOf(activities: Activity[], sessionsAfter = noSessions): LeadRollup {
  const rollups = buildRollups('ws-1', activities, noStates, sessionsAfter, now);
  if (rollups.length !== 1) throw new Error(`expected one rollup, got ${rollups.length}`);
  return rollups[0];
}

describe('rollupKey', () => {
  it('is the same for the same events in any order, so a retried batch finds the key its first try wrote', () => {
    expect(rollupKey('lead-1', ['src:a', 'src:b'])).toBe(rollupKey('lead-1', ['src:b', 'src:a']));
  });

  it('differs for other events or another lead', () => {
    const sut = rollupKey('lead-1', ['src:a', 'src:b']);

    expect(rollupKey('lead-1', ['src:a'])).not.toBe(sut);
    expect(rollupKey('lead-2', ['src:a', 'src:b'])).not.toBe(sut);
    expect(rollupKey('lead-1', ['src:a\0src:b'])).not.toBe(sut);
  });
});

describe('rememberedKeys', () => {
  it('reads the string a lead keeps, oldest first', () => {
    expect(rememberedKeys('a b c', 9)).toEqual(['a', 'b', 'c']);
    expect(rememberedKeys('', 9)).toEqual([]);
    expect(rememberedKeys(undefined, undefined)).toEqual([]);
  });

  it("reads a lead's ring slots from the oldest, the slot its rev points at, to the newest", () => {
    // 34 keys written one per rollup: k32 and k33 wrapped onto slots 0 and 1; rev is now 34.
    const slots = Object.fromEntries(Array.from({ length: 32 }, (_, slot) => [String(slot), `k${slot}`]));
    slots['0'] = 'k32';
    slots['1'] = 'k33';

    const sut = rememberedKeys(slots, 34);

    expect(sut).toHaveLength(32);
    expect(sut.slice(0, 2)).toEqual(['k2', 'k3']);
    expect(sut.slice(-2)).toEqual(['k32', 'k33']);
    expect(rememberedKeys({ 0: 'k0', 1: 'k1' }, 2)).toEqual(['k0', 'k1']);
  });
});

describe('buildRollups', () => {
  describe('compare-and-set', () => {
    it("carries the lead's rev as read and every rollup key it applies, once each", () => {
      const sut = buildRollups(
        'ws-1',
        [
          activity({ rollupKey: 'new' }),
          activity({ rollupKey: 'lost-earlier' }),
          activity({ rollupKey: 'new' }),
          activity({ leadId: 'lead-2', rollupKey: 'other' }),
        ],
        new Map([['lead-1', { rev: 7, rollupKeys: ['applied-before'] }]]),
        noSessions,
        now,
      );

      expect(
        sut.map(({ leadId, expectedRev, keys, remembered }) => ({ leadId, expectedRev, keys, remembered })),
      ).toEqual([
        {
          leadId: 'lead-1',
          expectedRev: 7,
          keys: ['new', 'lost-earlier'],
          remembered: ['applied-before', 'new', 'lost-earlier'],
        },
        { leadId: 'lead-2', expectedRev: undefined, keys: ['other'], remembered: ['other'] },
      ]);
    });

    it(`remembers the last ${REMEMBERED_ROLLUP_KEYS} keys, forgetting the oldest`, () => {
      const before = Array.from({ length: REMEMBERED_ROLLUP_KEYS }, (_, i) => `k${i}`);
      const [sut] = buildRollups(
        'ws-1',
        [activity({ rollupKey: 'newest' })],
        new Map([['lead-1', { rev: 40, rollupKeys: before }]]),
        noSessions,
        now,
      );

      expect(sut.remembered).toHaveLength(REMEMBERED_ROLLUP_KEYS);
      expect(sut.remembered[0]).toBe('k1');
      expect(sut.remembered.at(-1)).toBe('newest');
    });
  });

  describe('grouping', () => {
    it('builds one rollup per lead, in order of first appearance', () => {
      const sut = buildRollups(
        'ws-1',
        [activity({ leadId: 'b' }), activity({ leadId: 'a' }), activity({ leadId: 'b' })],
        noStates,
        noSessions,
        now,
      );

      expect(sut.map((rollup) => [rollup.leadId, rollup.inc.eventCount])).toEqual([
        ['b', 2],
        ['a', 1],
      ]);
    });

    it('returns nothing for no activities', () => {
      expect(buildRollups('ws-1', [], noStates, noSessions, now)).toEqual([]);
    });

    it('creates the lead in its workspace, at when the first event was received, and stamps updatedAt', () => {
      const sut = rollupOf([activity(), activity({ receivedAt: new Date('2026-03-01T11:00:00Z') })]);

      expect(sut.setOnInsert).toEqual({ workspaceId: 'ws-1', createdAt: new Date('2026-03-01T10:00:05Z') });
      expect(sut.set.updatedAt).toBe(now);
    });
  });

  describe('counters', () => {
    it('counts events per type and per UTC day and type', () => {
      const sut = rollupOf([
        activity({ eventType: 'page_view', timestamp: new Date('2026-02-28T23:59:59Z') }),
        activity({ eventType: 'page_view', timestamp: new Date('2026-03-01T00:00:00Z') }),
        activity({ eventType: 'form_submit', timestamp: new Date('2026-03-01T09:00:00Z') }),
      ]);

      expect(sut.inc).toEqual({
        eventCount: 3,
        'countsByType.page_view': 2,
        'countsByType.form_submit': 1,
        'daily.2026-02-28.page_view': 1,
        'daily.2026-03-01.page_view': 1,
        'daily.2026-03-01.form_submit': 1,
      });
    });

    it('sums values overall and per type, counting a zero value as a value', () => {
      const sut = rollupOf([
        activity({ eventType: 'order_completed', value: 40 }),
        activity({ eventType: 'order_completed', value: 2.5 }),
        activity({ eventType: 'quote_request', value: 0 }),
        activity({ eventType: 'page_view' }),
      ]);

      expect(sut.inc).toMatchObject({
        valueSum: 42.5,
        'valueByType.order_completed': 42.5,
        'valueByType.quote_request': 0,
      });
      expect(sut.inc).not.toHaveProperty(['valueByType.page_view']);
    });

    it('escapes event types that MongoDB would read as paths or operators', () => {
      const sut = rollupOf([
        activity({ eventType: 'checkout.step', value: 3 }),
        activity({ eventType: '$rare', timestamp: new Date('2026-03-01T10:00:00Z') }),
      ]);

      expect(sut.inc).toEqual({
        eventCount: 2,
        valueSum: 3,
        'countsByType.checkout%2Estep': 1,
        'daily.2026-03-01.checkout%2Estep': 1,
        'valueByType.checkout%2Estep': 3,
        'countsByType.%24rare': 1,
        'daily.2026-03-01.%24rare': 1,
      });
    });

    it('counts nothing for identify, group and alias calls, which carry no event type', () => {
      const sut = rollupOf([activity({ eventType: undefined, value: 5, traits: { plan: 'pro' } })]);

      expect(sut.inc).toEqual({});
    });
  });

  describe('first and last seen', () => {
    it('takes the earliest and latest event time, whatever the order', () => {
      const sut = rollupOf([
        activity({ timestamp: new Date('2026-03-01T10:00:00Z') }),
        activity({ timestamp: new Date('2026-03-01T08:00:00Z') }),
        activity({ timestamp: new Date('2026-03-01T11:00:00Z') }),
        activity({ timestamp: new Date('2026-03-01T09:00:00Z') }),
      ]);

      expect(sut.min).toEqual({ firstSeenAt: new Date('2026-03-01T08:00:00Z') });
      expect(sut.max).toEqual({ lastSeenAt: new Date('2026-03-01T11:00:00Z') });
    });

    it('counts identify calls as being seen', () => {
      const sut = rollupOf([activity({ eventType: undefined, timestamp: new Date('2026-03-01T07:00:00Z') })]);

      expect(sut.min.firstSeenAt).toEqual(new Date('2026-03-01T07:00:00Z'));
    });
  });

  describe('identities and traits', () => {
    it('adds each userId and anonymousId once', () => {
      const sut = rollupOf([
        activity({ anonymousId: 'anon-1' }),
        activity({ anonymousId: 'anon-1', userId: 'user-1' }),
        activity({ anonymousId: 'anon-2', userId: 'user-1' }),
      ]);

      expect(sut.addToSet).toEqual({ anonymousIds: ['anon-1', 'anon-2'], userIds: ['user-1'] });
    });

    it('sets each trait by its own path, the later call winning', () => {
      const sut = rollupOf([
        activity({ eventType: undefined, traits: { plan: 'free', email: 'ada@example.com' } }),
        activity({ eventType: undefined, traits: { plan: 'pro' } }),
      ]);

      expect(sut.set).toMatchObject({ 'traits.plan': 'pro', 'traits.email': 'ada@example.com' });
      expect(sut.set).not.toHaveProperty('traits');
    });

    it('sets group traits under the escaped group id', () => {
      const sut = rollupOf([activity({ eventType: undefined, group: { id: 'acme.io', traits: { size: 50 } } })]);

      expect(sut.set).toMatchObject({ 'groups.acme%2Eio': { size: 50 } });
    });
  });

  describe('sessions', () => {
    it('counts the sessions events open and adds what they lengthen', () => {
      const sut = rollupOf([
        activity({ session: { sessionId: 's1', startsSession: true, extendsByMs: 0 } }),
        activity({ session: { sessionId: 's1', startsSession: false, extendsByMs: 60_000 } }),
        activity({ session: { sessionId: 's2', startsSession: true, extendsByMs: 0 } }),
        activity({ session: { sessionId: 's2', startsSession: false, extendsByMs: 5_000 } }),
      ]);

      expect(sut.inc).toMatchObject({ sessionCount: 2, sessionDurationMs: 65_000 });
    });

    it('adds no session counters for events without session steps', () => {
      const sut = rollupOf([activity({ session: { sessionId: 's1', startsSession: false, extendsByMs: 0 } })]);

      expect(sut.inc).not.toHaveProperty('sessionCount');
      expect(sut.inc).not.toHaveProperty('sessionDurationMs');
    });

    it("sets the lead's session state after the batch, when it has one", () => {
      const state: SessionState = {
        id: 's2',
        startedAt: new Date('2026-03-01T10:00:00Z'),
        lastEventAt: new Date('2026-03-01T10:05:00Z'),
      };
      const sut = buildRollups(
        'ws-1',
        [activity({ leadId: 'with' }), activity({ leadId: 'without' })],
        noStates,
        new Map([
          ['with', state],
          ['without', undefined],
        ]),
        now,
      );

      expect(sut[0].set.session).toBe(state);
      expect(sut[1].set).not.toHaveProperty('session');
    });
  });
});
