import { condition, continueAsNew, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import {
  concludeExperimentSignal,
  type ExperimentActivities,
  experimentChangedSignal,
  pauseExperimentSignal,
  resumeExperimentSignal,
  stopExperimentSignal,
  type ExperimentState,
  experimentStateQuery,
  type ExperimentWorkflow,
  type LifecycleReason,
  type LifecycleStatus,
} from '../contracts/experiment.contract';

const { getExperimentPlan, moveExperimentStatus, analyseExperimentResults, concludeExperiment } =
  proxyActivities<ExperimentActivities>({
    startToCloseTimeout: '10 minutes',
    retry: { maximumAttempts: 10 },
  });

type Request = { kind: 'pause' | 'resume' | 'stop' } | { kind: 'conclude'; winnerVariantId?: string };

/**
 * One experiment from its scheduled start to its completion. The experiment document is
 * the truth: each turn reads it, so a change the API made while a signal was lost is seen
 * at the next turn anyway; a signal only makes the turn come sooner.
 */
export const experimentWorkflow: ExperimentWorkflow = async (ref) => {
  const state: ExperimentState = { status: 'draft', analyses: 0 };
  let changed = false;
  const requests: Request[] = [];
  const request = (next: Request) => {
    requests.push(next);
    changed = true;
  };
  setHandler(experimentChangedSignal, () => void (changed = true));
  setHandler(pauseExperimentSignal, () => request({ kind: 'pause' }));
  setHandler(resumeExperimentSignal, () => request({ kind: 'resume' }));
  setHandler(stopExperimentSignal, () => request({ kind: 'stop' }));
  setHandler(concludeExperimentSignal, ({ winnerVariantId }) => request({ kind: 'conclude', winnerVariantId }));
  setHandler(experimentStateQuery, () => state);

  /** Waits until `until` (epoch ms), or until the API changes the experiment. */
  const wait = async (until: number) => {
    await condition(() => changed, Math.max(1, until - Date.now()));
    changed = false;
  };
  const move = async (from: LifecycleStatus[], to: LifecycleStatus, reason: LifecycleReason) => {
    const status = await moveExperimentStatus({ ...ref, from, to, reason, at: new Date().toISOString() });
    if (status === to) state.reason = reason;
    return status;
  };

  /** An ops signal, applied to the document as the API would (conditionally). */
  const apply = async (next: Request) => {
    const at = new Date().toISOString();
    if (next.kind === 'pause') await move(['running'], 'paused', 'paused');
    else if (next.kind === 'resume') await move(['paused'], 'running', 'resumed');
    else if (next.kind === 'conclude' && next.winnerVariantId) {
      const status = await concludeExperiment({ ...ref, winnerVariantId: next.winnerVariantId, at });
      if (status === 'completed') state.reason = 'concluded';
    } else await move(['scheduled', 'running', 'paused'], 'completed', 'stopped');
  };

  for (;;) {
    const next = requests.shift();
    if (next) {
      await apply(next);
      continue;
    }
    const plan = await getExperimentPlan(ref);
    if (!plan.status) return { ...state, status: 'deleted' };
    state.status = plan.status;
    if (plan.status === 'completed' || plan.status === 'draft') return state;
    const interval = plan.analyseEveryMinutes * 60_000;
    const endAt = plan.endAt ? Date.parse(plan.endAt) : Infinity;

    if (plan.status === 'scheduled') {
      const startAt = plan.startAt ? Date.parse(plan.startAt) : Date.now();
      if (Date.now() < startAt) {
        await wait(startAt);
        continue;
      }
      await move(['scheduled'], 'running', 'started');
      continue;
    }
    if (plan.status === 'paused') {
      // Paused (by hand or for a sample-ratio mismatch) until resumed; the end date still ends it.
      if (Date.now() >= endAt) await move(['paused'], 'completed', 'ended');
      else await wait(Math.min(endAt, Date.now() + interval));
      continue;
    }

    const analysis = await analyseExperimentResults({ ...ref, at: new Date().toISOString() });
    state.analyses++;
    state.lastAnalysis = analysis;
    if (analysis.srmMismatch) await move(['running'], 'paused', 'srm');
    else if (analysis.canStopEarly) await move(['running'], 'completed', 'stopped_early');
    else if (Date.now() >= endAt) await move(['running'], 'completed', 'ended');
    else await wait(Math.min(endAt, Date.now() + interval));

    // A 14-day experiment analysed hourly stays well inside a history; a longer one starts afresh.
    if (workflowInfo().continueAsNewSuggested) await continueAsNew<ExperimentWorkflow>(ref);
  }
};
