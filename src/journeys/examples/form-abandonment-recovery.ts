import type { JourneyDefinition } from '../../../workflows/contracts/journey-definition';

/**
 * The product spec's behavioral trigger, as a journey: a quote form abandoned short of
 * completion gets a recovery email after an hour and a sales agent two hours after that,
 * unless the lead submits the form first; at most once a day per lead.
 */
export const formAbandonmentRecovery: JourneyDefinition = {
  name: 'Form Abandonment Recovery',
  description: 'Recover abandoned quote forms',
  trigger: {
    event: 'form_abandon',
    conditions: [{ source: 'event', field: 'formCompletion', operator: 'less_than', value: 100 }],
  },
  exitOn: [{ event: 'form_submit', conditions: [] }],
  goal: { event: 'form_submit', conditions: [] },
  reentry: 'after_exit',
  cooldownMinutes: 1440,
  priority: 80,
  steps: [
    { id: 'wait-1h', type: 'wait', minutes: 60 },
    { id: 'recovery-email', type: 'send_email', template: 'form-abandon-recovery', subject: 'Complete Your Quote' },
    { id: 'wait-2h', type: 'wait', minutes: 120 },
    { id: 'assign-agent', type: 'assign_agent', strategy: 'round_robin', reason: 'Form abandonment' },
  ],
};
