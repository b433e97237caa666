import { randomUUID } from 'node:crypto';
import { SegmentsRepository } from '../../src/segments/segments.repository';
import { databaseOf, useApi } from '../support/tracking';

interface Segment {
  id: string;
  name: string;
  type: string;
  status: string;
  criteria?: unknown;
  leadIds?: string[];
  isPublic: boolean;
  tags: string[];
  leadCount: number | null;
  lastCalculated: string | null;
}

describe('segments over REST (the spec routes and /v1)', () => {
  const nudge = useApi();
  const highIntent = {
    name: 'High Intent Leads',
    description: 'Leads showing high purchase intent',
    type: 'DYNAMIC',
    criteria: {
      logicOperator: 'AND',
      eventFilters: [{ eventType: 'quote_request', minFrequency: 1 }],
      frequencyFilters: [{ eventTypes: ['page_view', 'form_start'], minCount: 5 }],
    },
    tags: ['high-value'],
  };

  it("creates a segment from the spec's CreateSegmentRequest and serves it on both routes", async () => {
    const created = await nudge.client.admin<Segment>('POST', '/api/behavior/segments', highIntent);

    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      name: 'High Intent Leads',
      type: 'dynamic',
      status: 'active',
      isPublic: false,
      tags: ['high-value'],
      criteria: {
        and: [
          { performed: { event: 'quote_request', minCount: 1 } },
          { performed: { event: ['page_view', 'form_start'], minCount: 5 } },
        ],
      },
      leadCount: 0,
      lastCalculated: null,
    });
    const { id } = created.body;
    expect((await nudge.client.get<Segment>(`/v1/segments/${id}`)).body).toEqual(created.body);
    const listed = await nudge.client.get<{ segments: Segment[] }>('/api/behavior/segments');
    expect(listed.body.segments.map((segment) => segment.id)).toContain(id);
  });

  /** A lead made by tracking an event for a new userId; answers its userId and lead id. */
  async function newLead(): Promise<{ userId: string; leadId: string }> {
    const userId = `seg-${randomUUID()}`;
    await nudge.client.post('/v1/track', { userId, event: 'page_view', messageId: randomUUID() });
    const lead = await nudge.client.get<{ id: string }>(`/v1/leads/${userId}`);
    return { userId, leadId: lead.body.id };
  }

  it('keeps a static list of leads by id or identity, once each, and says which ids it does not know', async () => {
    const [ada, bob] = [await newLead(), await newLead()];
    const id = `vip-${randomUUID().slice(0, 8)}`;

    const created = await nudge.client.admin<Segment & { unknownLeadIds?: string[] }>('POST', '/v1/segments', {
      id,
      name: 'VIPs',
      type: 'static',
      leadIds: [ada.leadId, bob.userId, ada.userId, 'nobody-at-all'],
    });

    expect(created).toMatchObject({
      status: 201,
      body: { id, leadIds: [ada.leadId, bob.leadId], leadCount: 2, unknownLeadIds: ['nobody-at-all'] },
    });
    const members = await nudge.client.get<{ members: Array<{ leadId: string; enteredAt: string }> }>(
      `/v1/segments/${id}/members`,
    );
    expect(members.body.members.map((m) => m.leadId).sort()).toEqual([ada.leadId, bob.leadId].sort());
    expect(await nudge.client.get(`/v1/leads/${ada.userId}/segments`)).toMatchObject({
      status: 200,
      body: { leadId: ada.leadId, segments: [{ segmentId: id, enteredAt: expect.any(String) }] },
    });
  });

  it('takes out the leads a new list leaves out, keeps the others since they entered, and lets them back in', async () => {
    const [ada, bob] = [await newLead(), await newLead()];
    const id = `list-${randomUUID().slice(0, 8)}`;
    await nudge.client.admin('POST', '/v1/segments', {
      id,
      name: 'List',
      type: 'static',
      leadIds: [ada.leadId, bob.leadId],
    });
    const enteredAt = async (leadId: string) =>
      (
        await nudge.client.get<{ segments: Array<{ segmentId: string; enteredAt: string }> }>(
          `/v1/leads/${leadId}/segments`,
        )
      ).body.segments.find((s) => s.segmentId === id)?.enteredAt;
    const adaSince = await enteredAt(ada.leadId);

    const updated = await nudge.client.admin<Segment>('PUT', `/v1/segments/${id}`, {
      leadIds: [ada.leadId],
      status: 'INACTIVE',
    });

    expect(updated).toMatchObject({ status: 200, body: { leadIds: [ada.leadId], leadCount: 1, status: 'inactive' } });
    expect(await enteredAt(ada.leadId)).toBe(adaSince);
    expect(await enteredAt(bob.leadId)).toBeUndefined();
    const stored = await databaseOf(nudge.api.app)
      .collection('segment_members')
      .findOne({ workspaceId: 'dev', segmentId: id, leadId: bob.leadId });
    expect(stored).toMatchObject({ member: false, entries: 1, exitedAt: expect.any(Date) });

    await nudge.client.admin('PUT', `/v1/segments/${id}`, { leadIds: [ada.leadId, bob.leadId] });
    expect(
      await databaseOf(nudge.api.app)
        .collection('segment_members')
        .findOne({ workspaceId: 'dev', segmentId: id, leadId: bob.leadId }),
    ).toMatchObject({ member: true, entries: 2 });

    expect((await nudge.client.admin('DELETE', `/v1/segments/${id}`)).status).toBe(204);
    expect(await databaseOf(nudge.api.app).collection('segment_members').countDocuments({ segmentId: id })).toBe(0);
    expect((await nudge.client.get<{ segments: unknown[] }>(`/v1/leads/${ada.leadId}/segments`)).body.segments).toEqual(
      [],
    );
  });

  it('keeps members exactly the stored list under concurrent edits: each edit lands whole or gets 409', async () => {
    const leads = await Promise.all([1, 2, 3, 4].map(() => newLead()));
    const id = `race-${randomUUID().slice(0, 8)}`;
    await nudge.client.admin('POST', '/v1/segments', { id, name: 'Race', type: 'static', leadIds: [leads[0].leadId] });

    const lists = [[0, 1], [2], [1, 3], [0, 2, 3], [3]].map((picks) => picks.map((i) => leads[i].leadId));
    const answers = await Promise.all(
      lists.map((leadIds) => nudge.client.admin('PUT', `/v1/segments/${id}`, { leadIds })),
    );

    expect(answers.map((answer) => answer.status).every((status) => status === 200 || status === 409)).toBe(true);
    expect(answers.some((answer) => answer.status === 200)).toBe(true);
    const stored = await nudge.client.get<Segment>(`/v1/segments/${id}`);
    const members = await nudge.client.get<{ members: Array<{ leadId: string }> }>(`/v1/segments/${id}/members`);
    expect(members.body.members.map((m) => m.leadId).sort()).toEqual([...stored.body.leadIds!].sort());
    expect(stored.body.leadCount).toBe(stored.body.leadIds!.length);
  });

  it('refuses an edit made on a stale read of the segment', async () => {
    const id = `stale-${randomUUID().slice(0, 8)}`;
    await nudge.client.admin('POST', '/v1/segments', { id, name: 'Stale', type: 'static', leadIds: [] });
    const repository = nudge.api.app.get(SegmentsRepository);
    const read = (await repository.find('dev', id))!;

    expect(await repository.update('dev', id, read.updatedAt, { name: 'First', updatedAt: new Date() })).toBe(true);
    expect(await repository.update('dev', id, read.updatedAt, { name: 'Second', updatedAt: new Date() })).toBe(false);
    expect((await repository.find('dev', id))!.name).toBe('First');
  });

  it('pages members with a cursor, and refuses a cursor it did not make', async () => {
    const leads = [await newLead(), await newLead(), await newLead()];
    const id = `paged-${randomUUID().slice(0, 8)}`;
    await nudge.client.admin('POST', '/v1/segments', {
      id,
      name: 'Paged',
      type: 'static',
      leadIds: leads.map((l) => l.leadId),
    });

    type Page = { members: Array<{ leadId: string }>; nextCursor: string | null };
    const first = await nudge.client.get<Page>(`/v1/segments/${id}/members?limit=2`);
    const second = await nudge.client.get<Page>(`/v1/segments/${id}/members?limit=2&cursor=${first.body.nextCursor}`);

    expect(first.body.members).toHaveLength(2);
    expect(second.body).toMatchObject({ nextCursor: null });
    expect([...first.body.members, ...second.body.members].map((m) => m.leadId).sort()).toEqual(
      leads.map((l) => l.leadId).sort(),
    );
    expect(await nudge.client.get(`/v1/segments/${id}/members?cursor=nope`)).toMatchObject({
      status: 400,
      body: { message: 'cursor: is not a cursor this API returned' },
    });
  });

  it('updates criteria, and deletes a segment for good', async () => {
    const { body } = await nudge.client.admin<Segment>('POST', '/v1/segments', { ...highIntent, type: 'behavioral' });
    const criteria = { notPerformed: { event: 'order_completed', window: { inLast: { amount: 30, unit: 'days' } } } };

    const updated = await nudge.client.admin<Segment>('PUT', `/api/behavior/segments/${body.id}`, { criteria });
    expect(updated).toMatchObject({ status: 200, body: { criteria } });

    expect((await nudge.client.admin('DELETE', `/api/behavior/segments/${body.id}`)).status).toBe(204);
    expect(await nudge.client.get(`/v1/segments/${body.id}`)).toMatchObject({
      status: 404,
      body: { error: 'SEGMENT_NOT_FOUND' },
    });
    expect((await nudge.client.admin('DELETE', `/v1/segments/${body.id}`)).status).toBe(404);
  });

  it.each([
    [{ ...highIntent, criteria: { and: [{ performed: {} }] } }, /^criteria\.and\[0\]\.performed\.event: is required$/],
    [{ ...highIntent, criteria: undefined }, /^criteria: is required for a dynamic segment$/],
    [{ name: 'Listed', type: 'static', criteria: highIntent.criteria }, /^criteria: a static segment lists its leads/],
    [{ ...highIntent, type: 'smart' }, /^type: /],
    [{ ...highIntent, name: '' }, /^name: /],
    [{ ...highIntent, colour: 'red' }, /colour/],
  ])('refuses a bad segment with a 400 naming the field (%#)', async (body, message) => {
    const refused = await nudge.client.admin('POST', '/api/behavior/segments', body);

    expect(refused).toMatchObject({
      status: 400,
      body: { error: 'VALIDATION_FAILED', message: expect.stringMatching(message) },
    });
  });

  it('refuses a taken id with 409, and criteria on a static segment when updating', async () => {
    const id = `taken-${randomUUID().slice(0, 8)}`;
    await nudge.client.admin('POST', '/v1/segments', { id, name: 'One', type: 'static', leadIds: [] });

    expect(await nudge.client.admin('POST', '/v1/segments', { id, name: 'Two', type: 'static' })).toMatchObject({
      status: 409,
      body: { error: 'SEGMENT_EXISTS' },
    });
    expect(await nudge.client.admin('PUT', `/v1/segments/${id}`, { criteria: highIntent.criteria })).toMatchObject({
      status: 400,
      body: { message: 'criteria: a static segment lists its leads in leadIds' },
    });
  });

  it('needs the secret key', async () => {
    const response = await fetch(`${nudge.api.url}/v1/segments`);

    expect(response.status).toBe(401);
  });
});
