import type { EventMatch } from '../contracts/journey-definition';
import type { LeadEvent } from '../contracts/lead.contract';
import { eventMatches, needsLeadFacts, readsLead } from './event-match';

const event = (type: string, properties: Record<string, unknown> = {}): LeadEvent => ({
  messageId: 'm1',
  type,
  timestamp: '2026-01-01T00:00:00.000Z',
  properties,
});
const submit: EventMatch = {
  event: 'form_submit',
  conditions: [{ source: 'event', field: 'formId', operator: 'equals', value: 'quote' }],
};
const vipSubmit: EventMatch = {
  event: 'form_submit',
  conditions: [{ source: 'trait', field: 'tier', operator: 'equals', value: 'vip' }],
};

describe('event matching', () => {
  it('matches the type, then the conditions on the event properties', () => {
    expect(eventMatches(submit, event('form_submit', { formId: 'quote' }))).toBe(true);
    expect(eventMatches(submit, event('form_submit', { formId: 'contact' }))).toBe(false);
    expect(eventMatches(submit, event('form_abandon', { formId: 'quote' }))).toBe(false);
    expect(eventMatches({ event: 'form_submit', conditions: [] }, event('form_submit'))).toBe(true);
  });

  it('reads traits and rollups from the lead facts it is given', () => {
    const lead = { traits: { tier: 'vip' }, rollups: {} };

    expect(eventMatches(vipSubmit, event('form_submit'), lead)).toBe(true);
    expect(eventMatches(vipSubmit, event('form_submit'), { traits: { tier: 'basic' }, rollups: {} })).toBe(false);
    expect(eventMatches(vipSubmit, event('form_submit'))).toBe(false);
  });

  it('needs the lead only for a match of the same type that reads traits or rollups', () => {
    expect(readsLead(submit.conditions)).toBe(false);
    expect(readsLead(vipSubmit.conditions)).toBe(true);
    expect(needsLeadFacts([submit], event('form_submit'))).toBe(false);
    expect(needsLeadFacts([submit, vipSubmit], event('form_submit'))).toBe(true);
    expect(needsLeadFacts([vipSubmit], event('page_view'))).toBe(false);
  });
});
