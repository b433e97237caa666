import { randomUUID } from 'node:crypto';
import { useApi } from '../support/tracking';

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
      leadCount: null,
      lastCalculated: null,
    });
    const { id } = created.body;
    expect((await nudge.client.get<Segment>(`/v1/segments/${id}`)).body).toEqual(created.body);
    const listed = await nudge.client.get<{ segments: Segment[] }>('/api/behavior/segments');
    expect(listed.body.segments.map((segment) => segment.id)).toContain(id);
  });

  it('keeps a static list of leads, once each, and counts them', async () => {
    const id = `vip-${randomUUID().slice(0, 8)}`;
    const created = await nudge.client.admin<Segment>('POST', '/v1/segments', {
      id,
      name: 'VIPs',
      type: 'static',
      leadIds: ['lead_a', 'lead_b', 'lead_a'],
    });

    expect(created).toMatchObject({ status: 201, body: { id, leadIds: ['lead_a', 'lead_b'], leadCount: 2 } });
    const updated = await nudge.client.admin<Segment>('PUT', `/v1/segments/${id}`, {
      leadIds: ['lead_c'],
      status: 'INACTIVE',
    });
    expect(updated).toMatchObject({ status: 200, body: { leadIds: ['lead_c'], leadCount: 1, status: 'inactive' } });
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
