import { proxyActivities } from '@temporalio/workflow';
import type { SegmentActivities, SegmentRecalculationWorkflow } from '../contracts/segment.contract';

/** Leads per activity: each page is one cursor over the leads, so fewer pages read less. */
const LEADS_PER_PAGE = 20_000;

const { planSegmentRecalculation, finishSegmentRecalculation } = proxyActivities<SegmentActivities>({
  startToCloseTimeout: '1 minute',
  retry: { maximumAttempts: 5 },
});

// Long passes heartbeat after every batch, so a killed worker is noticed within the heartbeat timeout.
const { backfillSegment, reevaluateSegmentLeads, syncSegmentList } = proxyActivities<SegmentActivities>({
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '1 minute',
  retry: { maximumAttempts: 10 },
});

/**
 * One recalculation of one segment, every lead evaluated at the same `at` (the workflow's
 * start). Each step is idempotent (kept events are a set, membership changes are
 * conditional writes), so a retried activity or a rerun changes nothing twice.
 */
export const segmentRecalculationWorkflow: SegmentRecalculationWorkflow = async (ref) => {
  const startedAt = new Date().toISOString();
  const at = startedAt;
  const result = { evaluated: 0, entered: 0, exited: 0, backfilledEvents: 0 };
  const plan = await planSegmentRecalculation(ref);
  if (plan.syncList) {
    const { evaluated, entered, exited } = await syncSegmentList(ref);
    Object.assign(result, { evaluated, entered, exited });
    await finishSegmentRecalculation({ ...ref, at, startedAt, result });
    return result;
  }
  if (!plan.recalculate) return result;
  if (plan.backfillKey) {
    const backfill = await backfillSegment({ ...ref, at, backfillKey: plan.backfillKey });
    result.backfilledEvents = backfill.events;
    result.entered += backfill.entered;
    result.exited += backfill.exited;
  }
  let after: string | undefined;
  do {
    const page = await reevaluateSegmentLeads({ ...ref, at, after, limit: LEADS_PER_PAGE });
    result.evaluated += page.evaluated;
    result.entered += page.entered;
    result.exited += page.exited;
    after = page.after;
  } while (after);
  await finishSegmentRecalculation({ ...ref, at, startedAt, result });
  return result;
};
