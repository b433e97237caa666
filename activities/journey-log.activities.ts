import type { JourneyActivities, RunEnded, RunStarted, StepRecord } from '../workflows/contracts/journey-activities';

/** The journey execution log; the worker hands in JourneyLogWriter. Every write is idempotent. */
export interface JourneyLog {
  recordRunStarted(run: RunStarted): Promise<void>;
  recordStep(step: StepRecord): Promise<void>;
  recordRunEnded(end: RunEnded): Promise<void>;
}

export interface JourneyLogDeps {
  journeyLog: JourneyLog;
}

export function createJourneyLogActivities({ journeyLog }: JourneyLogDeps) {
  return {
    /** Logs a run's start; a repeated record is ignored. */
    async recordRunStarted(run: RunStarted): Promise<void> {
      await journeyLog.recordRunStarted(run);
    },

    /** Logs what one step did; a repeated record of the same step is ignored. */
    async recordStep(step: StepRecord): Promise<void> {
      await journeyLog.recordStep(step);
    },

    /** Logs a run's outcome and conversion; recording it again changes nothing. */
    async recordRunEnded(end: RunEnded): Promise<void> {
      await journeyLog.recordRunEnded(end);
    },
  } satisfies Pick<JourneyActivities, 'recordRunStarted' | 'recordStep' | 'recordRunEnded'>;
}
