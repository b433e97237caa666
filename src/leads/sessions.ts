import { SessionState } from './lead.model';

/** Analytics convention (Google Analytics, Amplitude, Segment's Personas): 30 idle minutes end a session. */
export const SESSION_TIMEOUT_MS = 30 * 60_000;

export interface SessionStep {
  sessionId: string;
  /** This event opened a session (counts toward the lead's session count). */
  startsSession: boolean;
  /** How much this event lengthened its session (adds to the lead's total session time). */
  extendsByMs: number;
}

/**
 * Places one lead's events, in time order, into sessions: the client's session id when it
 * sends one, else a new session after 30 idle minutes. Pure, so a retried batch derives the
 * same session ids; each step says what it adds, so only stored events count.
 */
export function assignSessions(
  leadId: string,
  initial: SessionState | undefined,
  events: ReadonlyArray<{ timestamp: Date; clientSessionId?: string }>,
): { steps: SessionStep[]; state: SessionState | undefined } {
  let state = initial;
  const steps = events.map(({ timestamp, clientSessionId }): SessionStep => {
    const at = timestamp.getTime();
    const idle = state ? at - state.lastEventAt.getTime() : Infinity;
    const isNew = clientSessionId
      ? clientSessionId !== state?.id
      : !state || idle > SESSION_TIMEOUT_MS || at < state.startedAt.getTime() - SESSION_TIMEOUT_MS;
    if (isNew || !state) {
      const id = clientSessionId ?? `${leadId}-${at.toString(36)}`;
      // An event older than the current session never rewinds it. A late one from an
      // earlier client session (a mobile app flushing its queue) belongs to a session
      // already counted; one with no session id stands alone.
      if (state && at < state.startedAt.getTime()) {
        return { sessionId: id, startsSession: !clientSessionId, extendsByMs: 0 };
      }
      state = { id, startedAt: timestamp, lastEventAt: timestamp };
      return { sessionId: id, startsSession: true, extendsByMs: 0 };
    }
    if (idle <= 0) return { sessionId: state.id, startsSession: false, extendsByMs: 0 };
    state = { ...state, lastEventAt: timestamp };
    return { sessionId: state.id, startsSession: false, extendsByMs: idle };
  });
  return { steps, state };
}
