import { LeadsService } from '../../leads/leads.service';
import { MembershipsRepository, MemberState, StateWrite } from '../memberships.repository';
import { SegmentChangeEvents } from './segment-change-events';
import { SegmentEvaluator } from './segment-evaluator';

/**
 * The evaluator's retries with a memberships store that reports the lead changed under the
 * first `conflicts` writes (other requests winning it), as a hot lead does under many
 * concurrent requests on several API instances.
 */
function evaluatorWithConflicts(conflicts: number) {
  let state: MemberState = { leadId: 'lead-1', member: false, entries: 0, events: [] };
  let writes = 0;
  const memberships = {
    findStates: () => Promise.resolve(new Map([[state.leadId, state]])),
    writeStates: (_: string, batch: readonly StateWrite[]) => {
      if (writes++ < conflicts) return Promise.resolve([...batch]);
      for (const write of batch) state = { ...state, member: write.member, entries: state.entries + 1 };
      return Promise.resolve([]);
    },
    clearPendingChanges: () => Promise.resolve(),
  } as unknown as MembershipsRepository;
  const recorded: unknown[] = [];
  const changeEvents = {
    record: (_: string, changes: readonly unknown[]) => Promise.resolve(void recorded.push(...changes)),
  } as unknown as SegmentChangeEvents;
  const sut = new SegmentEvaluator(memberships, {} as LeadsService, changeEvents);
  return { sut, recorded, writes: () => writes, state: () => state };
}

// A property condition: evaluated over the events the segment keeps (no rollup query).
const segment = {
  id: 'seg-1',
  name: 'Webinar fans',
  criteria: { performed: { event: 'webinar_joined', where: [{ property: 'room', operator: 'exists' as const }] } },
};
const lead = {
  leadId: 'lead-1',
  events: [
    { id: 'e1', type: 'webinar_joined', timestamp: new Date('2026-12-01T10:00:00Z'), properties: { room: 'main' } },
  ],
};
const now = new Date('2026-12-01T10:00:01Z');

describe('SegmentEvaluator', () => {
  it('keeps evaluating a lead that other writers keep changing until its write lands, then announces once', async () => {
    const { sut, recorded, writes, state } = evaluatorWithConflicts(12);

    const changes = await sut.evaluate('ws', segment, [lead], now);

    expect(writes()).toBe(13);
    expect(state()).toMatchObject({ member: true, entries: 1 });
    expect(changes).toHaveLength(1);
    expect(recorded).toHaveLength(1);
  });

  it('answers SEGMENT_BUSY, naming the segment, when the lead never stops changing', async () => {
    const { sut, recorded } = evaluatorWithConflicts(Infinity);

    const sut$ = sut.evaluate('ws', segment, [lead], now);

    await expect(sut$).rejects.toMatchObject({ code: 'SEGMENT_BUSY', status: 503 });
    await expect(sut$).rejects.toThrow('segment "seg-1": 1 leads kept changing while evaluated; retry');
    expect(recorded).toHaveLength(0);
  });
});
