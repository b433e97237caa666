/**
 * Segment recalculation: a Temporal Schedule per dynamic or behavioral segment starts the
 * `segmentRecalculationWorkflow`, which brings every lead's membership up to date at one
 * `now`: events older than the criteria last read are folded in first (a backfill, after a
 * criteria change), then every lead is evaluated again, in pages, so that a time window that
 * has passed takes leads out. A static segment's run (started by a CSV import) brings its
 * members to its stored list instead.
 */
export const SEGMENT_RECALCULATION_WORKFLOW = 'segmentRecalculationWorkflow';

export interface SegmentRef {
  workspaceId: string;
  segmentId: string;
}

/** One Schedule per segment; its id is what ops find in the Temporal UI. */
export const segmentScheduleId = ({ workspaceId, segmentId }: SegmentRef): string =>
  `segment-${workspaceId}-${segmentId}`;

/** A run triggered by hand (`POST …/recalculate`, an import) outside the Schedule. */
export const segmentRecalculationWorkflowId = (ref: SegmentRef, requestId: string): string =>
  `${segmentScheduleId(ref)}-${requestId}`;

export interface RecalculationPlan {
  /** False for a segment deleted, inactive, draft or static: nothing to do. */
  recalculate: boolean;
  /** The criteria's key when the backfill is due (criteria changed since the last one). */
  backfillKey?: string;
  /** A static segment: its members are brought to its list. */
  syncList?: boolean;
}

/** How many leads a step entered into the segment and let out of it. */
export interface MembershipChanges {
  entered: number;
  exited: number;
}

/** Where a page of leads ends; `after` the last lead id evaluated, none when all are done. */
export interface LeadsPage extends MembershipChanges {
  evaluated: number;
  after?: string;
}

/** What a backfill read, and the changes evaluating its leads made. */
export interface BackfillResult extends MembershipChanges {
  events: number;
}

export interface RecalculationResult {
  evaluated: number;
  entered: number;
  exited: number;
  backfilledEvents: number;
}

export interface SegmentActivities {
  planSegmentRecalculation(ref: SegmentRef): Promise<RecalculationPlan>;
  /** Folds every event the criteria can still count into the leads' kept events, and evaluates those leads. */
  backfillSegment(input: SegmentRef & { at: string; backfillKey: string }): Promise<BackfillResult>;
  /** Evaluates up to `limit` leads after `after` (by id) at `at`. */
  reevaluateSegmentLeads(input: SegmentRef & { at: string; after?: string; limit: number }): Promise<LeadsPage>;
  /** A static segment's members made its list; `evaluated` is how many leads it lists. */
  syncSegmentList(ref: SegmentRef): Promise<LeadsPage>;
  /** Records the run on the segment: when, how long, member count. */
  finishSegmentRecalculation(
    input: SegmentRef & { at: string; startedAt: string; result: RecalculationResult },
  ): Promise<void>;
}

export type SegmentRecalculationWorkflow = (ref: SegmentRef) => Promise<RecalculationResult>;
