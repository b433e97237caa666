import { Context } from '@temporalio/activity';
import type {
  BackfillResult,
  LeadsPage,
  RecalculationPlan,
  RecalculationResult,
  SegmentActivities,
  SegmentRef,
} from '../workflows/contracts/segment.contract';

/** Segment recalculation's steps, as the worker hands in SegmentRecalculator. */
export interface SegmentRecalculation {
  plan(ref: SegmentRef): Promise<RecalculationPlan>;
  backfill(ref: SegmentRef, at: Date, backfillKey: string, progress: (done: number) => void): Promise<BackfillResult>;
  reevaluate(
    ref: SegmentRef,
    at: Date,
    after: string | undefined,
    limit: number,
    progress: (done: number) => void,
  ): Promise<LeadsPage>;
  syncList(ref: SegmentRef, progress: (done: number) => void): Promise<LeadsPage>;
  finish(ref: SegmentRef, at: Date, startedAt: Date, result: RecalculationResult): Promise<void>;
}

export interface SegmentsDeps {
  segmentRecalculator: SegmentRecalculation;
}

/** Heartbeats the running activity with its progress; what a killed worker's retry is told apart by. */
const heartbeat = (done: number) => Context.current().heartbeat(done);

export function createSegmentsActivities({ segmentRecalculator }: SegmentsDeps): SegmentActivities {
  return {
    planSegmentRecalculation: (ref) => segmentRecalculator.plan(ref),
    backfillSegment: ({ at, backfillKey, ...ref }) =>
      segmentRecalculator.backfill(ref, new Date(at), backfillKey, heartbeat),
    reevaluateSegmentLeads: ({ at, after, limit, ...ref }) =>
      segmentRecalculator.reevaluate(ref, new Date(at), after, limit, heartbeat),
    syncSegmentList: (ref) => segmentRecalculator.syncList(ref, heartbeat),
    finishSegmentRecalculation: ({ at, startedAt, result, ...ref }) =>
      segmentRecalculator.finish(ref, new Date(at), new Date(startedAt), result),
  };
}
