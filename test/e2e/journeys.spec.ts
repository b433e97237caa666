import { formAbandonmentRecovery } from '../../src/journeys/examples/form-abandonment-recovery';
import type { JourneyDefinition } from '../../workflows/contracts/journey-definition';
import { bearer, DEV_WRITE_KEY, useApi } from '../support/tracking';

interface Journey {
  id: string;
  status: string;
  draft: JourneyDefinition;
  publishedVersion?: number;
}

interface Version {
  journeyId: string;
  version: number;
  definition: JourneyDefinition;
}

describe('journey definitions: drafts, immutable versions, lifecycle', () => {
  const nudge = useApi();

  it("takes the product spec's Form Abandonment Recovery from draft to published, and keeps each version as published", async () => {
    const created = await nudge.client.admin<Journey>('POST', '/v1/journeys', {
      id: 'quote-recovery',
      definition: formAbandonmentRecovery,
    });
    expect(created).toMatchObject({
      status: 201,
      body: { id: 'quote-recovery', status: 'draft', draft: formAbandonmentRecovery },
    });

    const first = await nudge.client.admin<Version>('POST', '/v1/journeys/quote-recovery/publish');
    expect(first).toMatchObject({ status: 200, body: { version: 1, definition: formAbandonmentRecovery } });
    expect((await nudge.client.get<Journey>('/v1/journeys/quote-recovery')).body).toMatchObject({
      status: 'active',
      publishedVersion: 1,
    });

    const edited = { ...formAbandonmentRecovery, cooldownMinutes: 720 };
    await nudge.client.admin('PUT', '/v1/journeys/quote-recovery', edited);
    expect(
      (await nudge.client.get<Version>('/v1/journeys/quote-recovery/versions/1')).body.definition.cooldownMinutes,
    ).toBe(1440);

    const second = await nudge.client.admin<Version>('POST', '/v1/journeys/quote-recovery/publish');
    expect(second.body).toMatchObject({ version: 2, definition: { cooldownMinutes: 720 } });
    const versions = await nudge.client.get<{ versions: Version[] }>('/v1/journeys/quote-recovery/versions');
    expect(versions.body.versions.map((v) => [v.version, v.definition.cooldownMinutes])).toEqual([
      [2, 720],
      [1, 1440],
    ]);
  });

  it('fills defaults and derives an id from the name when none is given', async () => {
    const reply = await nudge.client.admin<Journey>('POST', '/v1/journeys', {
      definition: {
        name: 'Welcome Series!',
        trigger: { event: 'identify_completed' },
        steps: [{ id: 'hello', type: 'send_email', template: 'welcome' }],
      },
    });

    expect(reply.status).toBe(201);
    expect(reply.body.id).toMatch(/^welcome-series-[0-9a-f]{6}$/);
    expect(reply.body.draft).toMatchObject({
      exitOn: [],
      reentry: 'after_exit',
      cooldownMinutes: 0,
      priority: 50,
      trigger: { conditions: [] },
    });
  });

  it('pauses, resumes and archives, refusing moves its status does not allow', async () => {
    const id = (
      await nudge.client.admin<Journey>('POST', '/v1/journeys', {
        definition: { ...formAbandonmentRecovery, name: 'Lifecycle' },
      })
    ).body.id;

    expect((await nudge.client.admin('POST', `/v1/journeys/${id}/pause`)).body).toMatchObject({
      message: `cannot pause journey "${id}": it is draft`,
    });
    await nudge.client.admin('POST', `/v1/journeys/${id}/publish`);
    expect((await nudge.client.admin<Journey>('POST', `/v1/journeys/${id}/pause`)).body.status).toBe('paused');
    expect(await nudge.client.admin('POST', `/v1/journeys/${id}/pause`)).toMatchObject({
      status: 409,
      body: { message: `cannot pause journey "${id}": it is paused` },
    });
    expect((await nudge.client.admin<Journey>('POST', `/v1/journeys/${id}/resume`)).body.status).toBe('active');
    expect((await nudge.client.admin<Journey>('POST', `/v1/journeys/${id}/archive`)).body.status).toBe('archived');

    expect(await nudge.client.admin('POST', `/v1/journeys/${id}/publish`)).toMatchObject({
      status: 409,
      body: { error: 'JOURNEY_CONFLICT' },
    });
    expect(await nudge.client.admin('PUT', `/v1/journeys/${id}`, formAbandonmentRecovery)).toMatchObject({
      status: 409,
    });
    expect((await nudge.client.get<Version>(`/v1/journeys/${id}/versions/1`)).status).toBe(200);
  });

  describe('validation: 4xx naming the field', () => {
    const create = (definition: unknown) =>
      nudge.client.admin<{ message: string }>('POST', '/v1/journeys', { definition });
    const valid = formAbandonmentRecovery;

    it.each([
      ['no steps', { ...valid, steps: [] }, /^definition\.steps: /],
      ['an unknown step type', { ...valid, steps: [{ id: 'x', type: 'teleport' }] }, /^definition\.steps\[0\]/],
      [
        'a wait of zero minutes',
        { ...valid, steps: [{ id: 'w', type: 'wait', minutes: 0 }] },
        /^definition\.steps\[0\]\.minutes: /,
      ],
      [
        'an unknown operator',
        {
          ...valid,
          trigger: { event: 'form_abandon', conditions: [{ source: 'event', field: 'x', operator: 'like', value: 1 }] },
        },
        /^definition\.trigger\.conditions\[0\]\.operator: /,
      ],
      [
        '"in" without a list',
        {
          ...valid,
          trigger: { event: 'x', conditions: [{ source: 'trait', field: 'region', operator: 'in', value: 'west' }] },
        },
        /^definition\.trigger\.conditions\[0\]\.value: must be an array/,
      ],
      [
        'a missing value',
        { ...valid, trigger: { event: 'x', conditions: [{ source: 'trait', field: 'region', operator: 'equals' }] } },
        /^definition\.trigger\.conditions\[0\]\.value: is required/,
      ],
      [
        'a webhook to a non-HTTP URL',
        { ...valid, steps: [{ id: 'h', type: 'webhook', url: 'file:///etc/passwd' }] },
        /^definition\.steps\[0\]\.url: /,
      ],
      [
        'a step id used twice, even nested',
        {
          ...valid,
          steps: [
            { id: 'same', type: 'wait', minutes: 5 },
            {
              id: 'split',
              type: 'branch',
              conditions: [{ source: 'trait', field: 'vip', operator: 'exists' }],
              then: [{ id: 'same', type: 'exit' }],
              else: [],
            },
          ],
        },
        /^definition\.steps\[1\]\.then\[0\]\.id: step id "same" is used twice/,
      ],
    ])('refuses %s', async (_, definition, message) => {
      const reply = await create(definition);
      expect(reply.status).toBe(400);
      expect(reply.body.message).toMatch(message);
    });

    it('accepts wait-for with both branches and a branch, nested', async () => {
      const reply = await create({
        ...valid,
        name: 'Nested',
        steps: [
          {
            id: 'await-submit',
            type: 'wait_for',
            event: { event: 'form_submit' },
            timeoutMinutes: 60,
            onEvent: [{ id: 'thanks', type: 'send_email', template: 'thanks' }],
            onTimeout: [
              {
                id: 'vip',
                type: 'branch',
                conditions: [
                  { source: 'rollup', field: 'countsByType.quote_request', operator: 'greater_than', value: 1 },
                ],
                then: [{ id: 'call', type: 'assign_agent', strategy: 'least_loaded', matchTrait: 'region' }],
                else: [{ id: 'nudge', type: 'send_sms', template: 'reminder' }],
              },
            ],
          },
        ],
      });

      expect(reply.status).toBe(201);
    });
  });

  it('answers 404 for an unknown journey or version, 409 for a taken id, 401 for a write key', async () => {
    expect(await nudge.client.get('/v1/journeys/nope')).toMatchObject({
      status: 404,
      body: { message: 'no journey has the id "nope"' },
    });
    expect(await nudge.client.get('/v1/journeys/quote-recovery/versions/9')).toMatchObject({ status: 404 });
    expect(
      await nudge.client.admin('POST', '/v1/journeys', {
        id: 'quote-recovery',
        definition: formAbandonmentRecovery,
      }),
    ).toMatchObject({
      status: 409,
      body: { message: 'id: a journey "quote-recovery" already exists' },
    });
    expect((await nudge.client.get('/v1/journeys', { authorization: bearer(DEV_WRITE_KEY) })).status).toBe(401);
  });
});
