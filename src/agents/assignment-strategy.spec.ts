import { Candidate, chooseAgent } from './assignment-strategy';

const agent = (id: string, overrides: Partial<Candidate> = {}): Candidate => ({
  id,
  active: true,
  traits: {},
  openAssignments: 0,
  ...overrides,
});
const at = (minute: number) => new Date(Date.UTC(2026, 0, 1, 9, minute));

describe('chooseAgent', () => {
  describe('round_robin', () => {
    it('picks the agent whose last assignment is oldest, never-assigned agents first', () => {
      const agents = [agent('a', { lastAssignedAt: at(5) }), agent('b', { lastAssignedAt: at(1) }), agent('c')];

      expect(chooseAgent(agents, { strategy: 'round_robin', leadTraits: {} })?.id).toBe('c');
      expect(chooseAgent(agents.slice(0, 2), { strategy: 'round_robin', leadTraits: {} })?.id).toBe('b');
    });

    it('breaks equal last-assignment times by id', () => {
      const agents = [agent('b'), agent('a', { lastAssignedAt: at(1) }), agent('c', { lastAssignedAt: at(1) })];

      expect(chooseAgent(agents, { strategy: 'round_robin', leadTraits: {} })?.id).toBe('b');
      expect(chooseAgent(agents.slice(1), { strategy: 'round_robin', leadTraits: {} })?.id).toBe('a');
    });

    it('ignores open load', () => {
      const agents = [
        agent('busy', { openAssignments: 9, lastAssignedAt: at(1) }),
        agent('idle', { lastAssignedAt: at(2) }),
      ];

      expect(chooseAgent(agents, { strategy: 'round_robin', leadTraits: {} })?.id).toBe('busy');
    });
  });

  describe('least_loaded', () => {
    it('picks the fewest open assignments, then the oldest last assignment, then the id', () => {
      const agents = [
        agent('a', { openAssignments: 3 }),
        agent('b', { openAssignments: 1, lastAssignedAt: at(9) }),
        agent('c', { openAssignments: 1, lastAssignedAt: at(2) }),
        agent('d', { openAssignments: 1, lastAssignedAt: at(2) }),
      ];

      expect(chooseAgent(agents, { strategy: 'least_loaded', leadTraits: {} })?.id).toBe('c');
      expect(chooseAgent([agents[0], agents[1]], { strategy: 'least_loaded', leadTraits: {} })?.id).toBe('b');
    });
  });

  describe('matchTrait', () => {
    const north = agent('north-1', { traits: { region: 'north' }, lastAssignedAt: at(9) });
    const south = agent('south-1', { traits: { region: 'south' } });

    it("considers only agents sharing the lead's trait", () => {
      const sut = chooseAgent([north, south], {
        strategy: 'round_robin',
        matchTrait: 'region',
        leadTraits: { region: 'north' },
      });

      expect(sut?.id).toBe('north-1');
    });

    it('reads nested trait paths on both sides', () => {
      const east = agent('east-1', { traits: { territory: { region: 'east' } }, lastAssignedAt: at(9) });

      const sut = chooseAgent([south, east], {
        strategy: 'round_robin',
        matchTrait: 'territory.region',
        leadTraits: { territory: { region: 'east' } },
      });

      expect(sut?.id).toBe('east-1');
    });

    it.each([
      ['nobody covers the lead', { region: 'west' }],
      ['the lead lacks the trait', {}],
    ])('falls back to every active agent when %s', (_, leadTraits) => {
      const sut = chooseAgent([north, south], { strategy: 'round_robin', matchTrait: 'region', leadTraits });

      expect(sut?.id).toBe('south-1');
    });

    it('does not match on an inactive agent', () => {
      const inactiveNorth = { ...north, active: false };

      const sut = chooseAgent([inactiveNorth, south], {
        strategy: 'round_robin',
        matchTrait: 'region',
        leadTraits: { region: 'north' },
      });

      expect(sut?.id).toBe('south-1');
    });
  });

  it('returns undefined when no agent is active', () => {
    expect(chooseAgent([agent('a', { active: false })], { strategy: 'least_loaded', leadTraits: {} })).toBeUndefined();
    expect(chooseAgent([], { strategy: 'round_robin', leadTraits: {} })).toBeUndefined();
  });
});
