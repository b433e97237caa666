import { SessionState } from './lead.model';
import { assignSessions, SESSION_TIMEOUT_MS } from './sessions';

const start = new Date('2026-03-01T12:00:00Z');
const minutes = (n: number) => n * 60_000;
/** A moment `offsetMs` after 12:00. */
const at = (offsetMs: number) => new Date(start.getTime() + offsetMs);
const event = (offsetMs: number, clientSessionId?: string) => ({
  timestamp: at(offsetMs),
  ...(clientSessionId && { clientSessionId }),
});
const session = (id: string, startedMs: number, lastMs: number): SessionState => ({
  id,
  startedAt: at(startedMs),
  lastEventAt: at(lastMs),
});

describe('assignSessions', () => {
  describe('derived sessions', () => {
    it('opens a session for the first event of a lead', () => {
      const sut = assignSessions('lead-1', undefined, [event(0)]);

      expect(sut.steps).toEqual([
        { sessionId: expect.stringMatching(/^lead-1-/), startsSession: true, extendsByMs: 0 },
      ]);
      expect(sut.state).toEqual({ id: sut.steps[0].sessionId, startedAt: at(0), lastEventAt: at(0) });
    });

    it('keeps events up to 30 idle minutes apart in one session, adding each gap to its length', () => {
      const sut = assignSessions('lead-1', undefined, [event(0), event(minutes(10)), event(minutes(40))]);

      const [first, second, third] = sut.steps;
      expect(second).toEqual({ sessionId: first.sessionId, startsSession: false, extendsByMs: minutes(10) });
      expect(third).toEqual({ sessionId: first.sessionId, startsSession: false, extendsByMs: SESSION_TIMEOUT_MS });
      expect(sut.state).toEqual({ id: first.sessionId, startedAt: at(0), lastEventAt: at(minutes(40)) });
    });

    it('opens a new session after more than 30 idle minutes', () => {
      const sut = assignSessions('lead-1', undefined, [event(0), event(SESSION_TIMEOUT_MS + 1)]);

      const [first, second] = sut.steps;
      expect(second).toEqual({ sessionId: expect.stringMatching(/^lead-1-/), startsSession: true, extendsByMs: 0 });
      expect(second.sessionId).not.toBe(first.sessionId);
      expect(sut.state).toEqual({
        id: second.sessionId,
        startedAt: at(SESSION_TIMEOUT_MS + 1),
        lastEventAt: at(SESSION_TIMEOUT_MS + 1),
      });
    });

    it('continues the session the lead was in before this batch', () => {
      const sut = assignSessions('lead-1', session('s-earlier', 0, minutes(5)), [event(minutes(20))]);

      expect(sut.steps).toEqual([{ sessionId: 's-earlier', startsSession: false, extendsByMs: minutes(15) }]);
      expect(sut.state).toEqual(session('s-earlier', 0, minutes(20)));
    });

    it('does not change the state it was given', () => {
      const initial = session('s-earlier', 0, minutes(5));

      assignSessions('lead-1', initial, [event(minutes(20))]);

      expect(initial).toEqual(session('s-earlier', 0, minutes(5)));
    });

    it('returns no steps and the state unchanged for no events', () => {
      const initial = session('s-earlier', 0, minutes(5));

      expect(assignSessions('lead-1', initial, [])).toEqual({ steps: [], state: initial });
      expect(assignSessions('lead-1', undefined, [])).toEqual({ steps: [], state: undefined });
    });
  });

  describe('client session ids', () => {
    it('uses the client session id as the session id', () => {
      const sut = assignSessions('lead-1', undefined, [event(0, 'tab-1'), event(minutes(3), 'tab-1')]);

      expect(sut.steps).toEqual([
        { sessionId: 'tab-1', startsSession: true, extendsByMs: 0 },
        { sessionId: 'tab-1', startsSession: false, extendsByMs: minutes(3) },
      ]);
      expect(sut.state).toEqual(session('tab-1', 0, minutes(3)));
    });

    it('keeps a client session going past 30 idle minutes: the client decides when it ends', () => {
      const sut = assignSessions('lead-1', session('tab-1', 0, 0), [event(minutes(90), 'tab-1')]);

      expect(sut.steps).toEqual([{ sessionId: 'tab-1', startsSession: false, extendsByMs: minutes(90) }]);
    });

    it('opens a new session when the client session id changes, however soon', () => {
      const sut = assignSessions('lead-1', session('tab-1', 0, 0), [event(1000, 'tab-2')]);

      expect(sut.steps).toEqual([{ sessionId: 'tab-2', startsSession: true, extendsByMs: 0 }]);
      expect(sut.state).toEqual(session('tab-2', 1000, 1000));
    });

    it('lets an event without a session id join the client session it follows', () => {
      const sut = assignSessions('lead-1', undefined, [event(0, 'tab-1'), event(minutes(5))]);

      expect(sut.steps[1]).toEqual({ sessionId: 'tab-1', startsSession: false, extendsByMs: minutes(5) });
    });
  });

  describe('out-of-order events', () => {
    it('places a late event from an earlier client session without rewinding or recounting the current one', () => {
      const current = session('s2', 0, minutes(10));

      const sut = assignSessions('lead-1', current, [event(-minutes(180), 's1'), event(minutes(15), 's2')]);

      expect(sut.steps).toEqual([
        { sessionId: 's1', startsSession: false, extendsByMs: 0 },
        { sessionId: 's2', startsSession: false, extendsByMs: minutes(5) },
      ]);
      expect(sut.state).toEqual(session('s2', 0, minutes(15)));
    });

    it('places an event older than the last one in the current session without lengthening it', () => {
      const sut = assignSessions('lead-1', session('s-current', 0, minutes(20)), [event(minutes(10))]);

      expect(sut.steps).toEqual([{ sessionId: 's-current', startsSession: false, extendsByMs: 0 }]);
      expect(sut.state).toEqual(session('s-current', 0, minutes(20)));
    });

    it('places an event up to 30 minutes before the session started in that session', () => {
      const sut = assignSessions('lead-1', session('s-current', minutes(60), minutes(70)), [event(minutes(30))]);

      expect(sut.steps).toEqual([{ sessionId: 's-current', startsSession: false, extendsByMs: 0 }]);
      expect(sut.state).toEqual(session('s-current', minutes(60), minutes(70)));
    });

    it('counts a repeated event at the same moment once', () => {
      const sut = assignSessions('lead-1', session('s-current', 0, minutes(20)), [event(minutes(20))]);

      expect(sut.steps).toEqual([{ sessionId: 's-current', startsSession: false, extendsByMs: 0 }]);
    });

    it('lets an event far older than the current session stand alone, without rewinding the session', () => {
      const initial = session('s-current', minutes(120), minutes(130));

      const sut = assignSessions('lead-1', initial, [event(0), event(minutes(135))]);

      const [old, current] = sut.steps;
      expect(old).toEqual({ sessionId: expect.stringMatching(/^lead-1-/), startsSession: true, extendsByMs: 0 });
      expect(old.sessionId).not.toBe('s-current');
      expect(current).toEqual({ sessionId: 's-current', startsSession: false, extendsByMs: minutes(5) });
      expect(sut.state).toEqual(session('s-current', minutes(120), minutes(135)));
    });
  });

  describe('determinism', () => {
    it('derives the same session ids when a batch is retried', () => {
      const events = [event(0), event(minutes(5)), event(minutes(50)), event(minutes(200), 'tab-9')];

      const first = assignSessions('lead-1', undefined, events);
      const retry = assignSessions('lead-1', undefined, events);

      expect(retry).toEqual(first);
      expect(new Set(first.steps.map((step) => step.sessionId)).size).toBe(3);
    });

    it('derives different session ids for different leads at the same moment', () => {
      const [a] = assignSessions('lead-a', undefined, [event(0)]).steps;
      const [b] = assignSessions('lead-b', undefined, [event(0)]).steps;

      expect(a.sessionId).not.toBe(b.sessionId);
    });
  });
});
