// The worker's workflowsPath: every workflow function the worker registers.
export { journeyRunWorkflow } from './journey/journey-run.workflow';
export { leadWorkflow } from './lead/lead.workflow';
export { segmentRecalculationWorkflow } from './segment/segment-recalculation.workflow';
export { selfCheckWorkflow } from './self-check/self-check.workflow';
export { experimentWorkflow } from './experiment/experiment.workflow';
