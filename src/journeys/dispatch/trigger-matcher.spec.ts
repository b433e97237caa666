import type { JourneyDefinition } from '../../../workflows/contracts/journey-definition';
import { formAbandonmentRecovery } from '../examples/form-abandonment-recovery';
import { MatchableJourney, TriggerMatcher } from './trigger-matcher';

const journey = (
  journeyId: string,
  definition: Partial<JourneyDefinition>,
  acceptsEntries = true,
  version = 1,
): MatchableJourney => ({
  journeyId,
  version,
  acceptsEntries,
  definition: { ...formAbandonmentRecovery, ...definition },
});

describe('TriggerMatcher', () => {
  it('enters the form abandonment journey only below 100 % completion', () => {
    const sut = new TriggerMatcher([journey('recovery', {})]);

    expect(sut.match({ type: 'form_abandon', properties: { formCompletion: 40 } }).entries).toHaveLength(1);
    expect(sut.match({ type: 'form_abandon', properties: { formCompletion: 100 } }).entries).toHaveLength(0);
  });

  it('ignores events no journey mentions', () => {
    const sut = new TriggerMatcher([journey('recovery', {})]);

    expect(sut.match({ type: 'page_view', properties: {} })).toEqual({ entries: [], needsLead: false, watched: false });
  });

  it('watches exit, goal and wait-for events, including those of paused journeys and older versions', () => {
    const sut = new TriggerMatcher([
      journey('recovery', {}, false),
      journey(
        'nurture',
        {
          goal: { event: 'purchase', conditions: [] },
          steps: [
            {
              id: 'wait-open',
              type: 'wait_for',
              event: { event: 'email_open', conditions: [] },
              timeoutMinutes: 60,
              onEvent: [],
              onTimeout: [],
            },
          ],
        },
        false,
        3,
      ),
    ]);

    for (const type of ['form_submit', 'purchase', 'email_open'])
      expect(sut.match({ type, properties: {} })).toMatchObject({ entries: [], watched: true });
    expect(sut.match({ type: 'form_abandon', properties: { formCompletion: 10 } }).entries).toEqual([]);
  });

  it('orders entries by priority, highest first', () => {
    const sut = new TriggerMatcher([
      journey('low', { priority: 10 }),
      journey('high', { priority: 90 }),
      journey('mid', { priority: 50 }),
    ]);

    const { entries } = sut.match({ type: 'form_abandon', properties: { formCompletion: 1 } });

    expect(entries.map((e) => e.journeyId)).toEqual(['high', 'mid', 'low']);
  });

  it('leaves trait and rollup conditions for the second pass, with the lead', () => {
    const sut = new TriggerMatcher([
      journey('north-only', {
        trigger: {
          event: 'form_abandon',
          conditions: [
            { source: 'event', field: 'formCompletion', operator: 'less_than', value: 100 },
            { source: 'trait', field: 'region', operator: 'equals', value: 'north' },
          ],
        },
      }),
    ]);

    const found = sut.match({ type: 'form_abandon', properties: { formCompletion: 50 } });

    expect(found.needsLead).toBe(true);
    const event = { formCompletion: 50 };
    expect(sut.admit(found.entries, { event, trait: { region: 'north' } })).toHaveLength(1);
    expect(sut.admit(found.entries, { event, trait: { region: 'south' } })).toHaveLength(0);
  });
});
