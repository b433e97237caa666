/**
 * The product spec's own example, word for word (behavior-analytics-spec.md, "Behavioral
 * Triggers"): what a developer sends to `POST /api/behavior/triggers`.
 */
export const formAbandonmentRecoveryTrigger = {
  name: 'Form Abandonment Recovery',
  description: 'Recover abandoned quote forms',
  event: 'form_abandon',
  conditions: [{ id: 'cond-1', type: 'behavior', field: 'formCompletion', operator: 'less_than', value: 100 }],
  actions: [
    {
      id: 'action-1',
      action: 'send_email',
      parameters: { template: 'form-abandon-recovery', subject: 'Complete Your Quote' },
      delay: 60, // Wait 1 hour
    },
    { id: 'action-2', action: 'assign_agent', parameters: { reason: 'Form abandonment' }, delay: 120 }, // Wait 2 hours
  ],
  targetSegments: ['qualified-leads'],
  cooldown: 1440, // 24 hours
  priority: 80,
};
