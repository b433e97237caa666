import { createLeadsActivities, ianaZone, LeadProfile, LeadStore } from './leads.activities';

const day = (daysAgo: number) => new Date(Date.now() - daysAgo * 86_400_000).toISOString().slice(0, 10);

/** A store holding one lead, `lead_1`, into which `lead_old` was merged. */
function storeWith(profile: Partial<LeadProfile>) {
  const updates: unknown[] = [];
  const store: LeadStore = {
    findLeadOrNull: (_, id) => Promise.resolve(['lead_1', 'lead_old'].includes(id) ? { id: 'lead_1' } : null),
    toProfile: (lead) => ({ id: lead.id, traits: {}, rollups: {}, sessions: { count: 0 }, ...profile }),
    updateProfile: (...args) => {
      updates.push(args);
      return Promise.resolve(args[1] === 'lead_1' ? { id: 'lead_1' } : null);
    },
  };
  return { store, updates };
}

describe('lead activities', () => {
  describe('getLeadFacts', () => {
    it('returns traits, rollups with the session count, recent days only, and the time zone', async () => {
      const { store } = storeWith({
        traits: { region: 'north', timezone: 'Europe/Paris' },
        rollups: {
          eventCount: 4,
          countsByType: { form_abandon: 1 },
          daily: { [day(0)]: { page_view: 2 }, [day(45)]: { page_view: 1 } },
        },
        sessions: { count: 3 },
      });
      const sut = createLeadsActivities({ leads: store });

      const facts = await sut.getLeadFacts({ workspaceId: 'ws', leadId: 'lead_1' });

      expect(facts).toEqual({
        exists: true,
        traits: { region: 'north', timezone: 'Europe/Paris' },
        rollups: {
          eventCount: 4,
          countsByType: { form_abandon: 1 },
          daily: { [day(0)]: { page_view: 2 } },
          sessionCount: 3,
        },
        timezone: 'Europe/Paris',
      });
    });

    it('leaves the time zone out when the trait is not an IANA zone', async () => {
      const { store } = storeWith({ traits: { timezone: 'Mars/Olympus_Mons' } });

      const facts = await createLeadsActivities({ leads: store }).getLeadFacts({ workspaceId: 'ws', leadId: 'lead_1' });

      expect(facts.exists).toBe(true);
      expect(facts).not.toHaveProperty('timezone');
    });

    it.each([
      ['never existed', 'lead_unknown'],
      ['was merged into another', 'lead_old'],
    ])('answers exists: false for a lead that %s', async (_, leadId) => {
      const { store } = storeWith({ traits: { region: 'north' } });

      const facts = await createLeadsActivities({ leads: store }).getLeadFacts({ workspaceId: 'ws', leadId });

      expect(facts).toEqual({ exists: false, traits: {}, rollups: {} });
    });

    it('lets other failures through, for Temporal to retry', async () => {
      const store: LeadStore = {
        ...storeWith({}).store,
        findLeadOrNull: () => Promise.reject(new Error('connection reset')),
      };

      await expect(
        createLeadsActivities({ leads: store }).getLeadFacts({ workspaceId: 'ws', leadId: 'lead_1' }),
      ).rejects.toThrow('connection reset');
    });
  });

  describe('updateLead', () => {
    const step = { key: 'run-1:tag', workspaceId: 'ws', journeyId: 'j', version: 1, runId: 'run-1', stepId: 'tag' };

    it('sets traits and adds tags on the lead', async () => {
      const { store, updates } = storeWith({});

      await createLeadsActivities({ leads: store }).updateLead({
        ...step,
        leadId: 'lead_1',
        setTraits: { stage: 'hot' },
        addTags: ['abandoned-form'],
      });

      expect(updates).toEqual([['ws', 'lead_1', { setTraits: { stage: 'hot' }, addTags: ['abandoned-form'] }]]);
    });

    it('does nothing for an empty change or a lead that never existed', async () => {
      const { store, updates } = storeWith({});
      const sut = createLeadsActivities({ leads: store });

      await sut.updateLead({ ...step, leadId: 'lead_1', addTags: [] });
      await expect(sut.updateLead({ ...step, leadId: 'lead_gone', setTraits: { a: 1 } })).resolves.toBeUndefined();

      expect(updates).toEqual([['ws', 'lead_gone', { setTraits: { a: 1 } }]]);
    });
  });

  it.each([
    ['America/New_York', 'America/New_York'],
    [' UTC ', 'UTC'],
    ['Not/AZone', undefined],
    ['', undefined],
    [42, undefined],
  ])('ianaZone(%p) is %p', (value, expected) => {
    expect(ianaZone(value)).toBe(expected);
  });
});
