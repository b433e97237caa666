import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import type { SelfCheckWorkflow } from '../contracts/self-check.contract';

const { recordSelfCheck } = proxyActivities<Activities>({
  startToCloseTimeout: '10 seconds',
  retry: { maximumAttempts: 3 },
});

/** Runs one activity that writes to MongoDB and returns what it stored. */
export const selfCheckWorkflow: SelfCheckWorkflow = async ({ message }) => {
  const { workflowId } = workflowInfo();
  const record = await recordSelfCheck({ checkId: workflowId, message });
  return { workflowId, ...record };
};
