// The worker's workflowsPath: every workflow function the worker registers.
export { selfCheckWorkflow } from './self-check/self-check.workflow';
