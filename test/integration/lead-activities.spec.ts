import { INestApplicationContext } from '@nestjs/common';
import { getConnectionToken } from '@nestjs/mongoose';
import { Test } from '@nestjs/testing';
import { Connection } from 'mongoose';
import { createLeadsActivities } from '../../activities/leads.activities';
import { ConfigModule } from '../../src/config/config.module';
import { DatabaseModule } from '../../src/database/database.module';
import { encodeKey } from '../../src/leads/field-keys';
import { LeadsModule } from '../../src/leads/leads.module';
import { LeadsService } from '../../src/leads/leads.service';

describe('lead activities on the real LeadsService (FerretDB)', () => {
  const workspaceId = 'ws_leads';
  let app: INestApplicationContext;
  let db: Connection['db'];
  let sut: ReturnType<typeof createLeadsActivities>;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [ConfigModule, DatabaseModule, LeadsModule],
    }).compile();
    app = await moduleRef.init();
    db = app.get<Connection>(getConnectionToken()).db;
    sut = createLeadsActivities({ leads: app.get(LeadsService) });
    const today = new Date().toISOString().slice(0, 10);
    await db!.collection('leads').insertMany([
      {
        _id: 'lead_a' as never,
        workspaceId,
        traits: { region: 'north', timezone: 'America/Chicago' },
        tags: [],
        eventCount: 3,
        countsByType: { [encodeKey('quote.requested')]: 1, form_abandon: 2 },
        daily: { [today]: { form_abandon: 2 } },
        sessionCount: 2,
        mergedLeadIds: ['lead_b'],
        createdAt: new Date(),
      },
      { _id: 'lead_b' as never, workspaceId, traits: {}, mergedInto: 'lead_a', createdAt: new Date() },
    ]);
  });

  afterAll(async () => {
    await db!.dropDatabase();
    await app.close();
  });

  const step = { key: 'run-1:s', workspaceId, journeyId: 'j1', version: 1, runId: 'run-1', stepId: 's' };

  it('reads traits, decoded rollups, the session count and the time zone', async () => {
    const facts = await sut.getLeadFacts({ workspaceId, leadId: 'lead_a' });

    expect(facts).toMatchObject({
      exists: true,
      traits: { region: 'north', timezone: 'America/Chicago' },
      rollups: { eventCount: 3, sessionCount: 2, countsByType: { 'quote.requested': 1, form_abandon: 2 } },
      timezone: 'America/Chicago',
    });
  });

  it('answers exists: false for a lead merged away, another workspace, or nobody', async () => {
    for (const [ws, leadId] of [
      [workspaceId, 'lead_b'],
      ['ws_other', 'lead_a'],
      [workspaceId, 'lead_nobody'],
    ]) {
      expect(await sut.getLeadFacts({ workspaceId: ws, leadId })).toEqual({ exists: false, traits: {}, rollups: {} });
    }
  });

  it('updates traits and tags, and a repeat changes nothing', async () => {
    const change = { ...step, leadId: 'lead_a', setTraits: { stage: 'hot' }, addTags: ['abandoned-form'] };

    await sut.updateLead(change);
    await sut.updateLead(change);

    const lead = await app.get(LeadsService).findLead(workspaceId, 'lead_a');
    expect(lead.traits).toMatchObject({ region: 'north', stage: 'hot' });
    expect(lead.tags).toEqual(['abandoned-form']);
  });

  it('leaves a lead that never existed alone', async () => {
    await expect(sut.updateLead({ ...step, leadId: 'lead_nobody', addTags: ['x'] })).resolves.toBeUndefined();
    expect(await db!.collection('leads').countDocuments({ _id: 'lead_nobody' as never })).toBe(0);
  });
});
