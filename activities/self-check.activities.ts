export interface SelfCheckRecord {
  message: string;
  recordedAt: string;
  workerIdentity: string;
}

/** What the self-check activity needs from the app; the worker hands in the Nest service. */
export interface SelfCheckStore {
  record(check: { checkId: string; message: string; workerIdentity: string }): Promise<{
    message: string;
    recordedAt: Date;
    workerIdentity: string;
  }>;
}

export interface SelfCheckDeps {
  selfCheck: SelfCheckStore;
  /** The identity this worker polls Temporal with, recorded so ops see who ran the check. */
  workerIdentity: string;
}

export function createSelfCheckActivities({ selfCheck, workerIdentity }: SelfCheckDeps) {
  return {
    /** Stores the check under its id; a retry rewrites the same record, never a second one. */
    async recordSelfCheck(input: { checkId: string; message: string }): Promise<SelfCheckRecord> {
      const stored = await selfCheck.record({ ...input, workerIdentity });
      return { ...stored, recordedAt: stored.recordedAt.toISOString() };
    },
  };
}
