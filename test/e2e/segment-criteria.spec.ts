import { randomUUID } from 'node:crypto';
import { useApi } from '../support/tracking';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** An event a lead did `ago` ms before the test ran. */
type Did = [event: string, ago: number, properties?: Record<string, unknown>];
interface LeadCase {
  did: Did[];
  traits?: Record<string, unknown>;
  member: boolean;
}
interface FormCase {
  form: string;
  /** The criteria, given `e`, which makes the case's event names its own. */
  criteria: (e: (name: string) => string, now: number) => unknown;
  leads: Record<string, LeadCase>;
  /** The product spec's shape is a whole criteria of its own: it is not nested under the case's marker. */
  spec?: boolean;
  /** How the preview answers: one query over the leads' rollups and traits, or by evaluating events. */
  via?: 'rollups' | 'events';
}

const instant = (now: number, ago: number) => new Date(now - ago).toISOString();
const tenDaysBack = (now: number) => Math.floor((now - 10 * DAY) / 1000) * 1000;
const threeDaysBack = (now: number) => Math.floor((now - 3 * DAY) / 1000) * 1000;

/**
 * Every form of the criteria language against the real database: each case's leads send
 * their events (timestamps in the past) to a segment made first, so real-time evaluation
 * decides their membership; the same criteria previewed must pick the same leads.
 */
const cases: FormCase[] = [
  {
    form: 'performed, inLast window: an event just inside 7 days counts, one just outside does not',
    criteria: (e) => ({ performed: { event: e('visit'), window: { inLast: { amount: 7, unit: 'days' } } } }),
    leads: {
      inside: { did: [['visit', 7 * DAY - 5 * MINUTE]], member: true },
      outside: { did: [['visit', 7 * DAY + 5 * MINUTE]], member: false },
    },
  },
  {
    form: 'performed, between window: from included, to excluded',
    criteria: (e, now) => ({
      performed: {
        event: e('visit'),
        window: {
          between: { from: new Date(tenDaysBack(now)).toISOString(), to: new Date(threeDaysBack(now)).toISOString() },
        },
      },
    }),
    leads: {
      atFrom: { did: [['visit', -1]], member: true },
      atTo: { did: [['visit', -2]], member: false },
      before: { did: [['visit', 11 * DAY]], member: false },
    },
  },
  {
    form: 'performed with property conditions, minCount and maxCount',
    criteria: (e) => ({
      performed: {
        event: e('form_submitted'),
        where: [{ property: 'formId', operator: 'equals', value: 'quote' }],
        minCount: 2,
        maxCount: 3,
      },
    }),
    leads: {
      twoQuotes: {
        did: [
          ['form_submitted', HOUR, { formId: 'quote' }],
          ['form_submitted', 2 * HOUR, { formId: 'quote' }],
        ],
        member: true,
      },
      oneQuote: {
        did: [
          ['form_submitted', HOUR, { formId: 'quote' }],
          ['form_submitted', 2 * HOUR, { formId: 'contact' }],
        ],
        member: false,
      },
      fourQuotes: {
        did: [1, 2, 3, 4].map((h): Did => ['form_submitted', h * HOUR, { formId: 'quote' }]),
        member: false,
      },
    },
  },
  {
    form: 'notPerformed in a window (did-not-perform)',
    criteria: (e) => ({ notPerformed: { event: e('purchase'), window: { inLast: { amount: 30, unit: 'days' } } } }),
    leads: {
      never: { did: [], member: true },
      longAgo: { did: [['purchase', 40 * DAY]], member: true },
      recently: { did: [['purchase', 2 * DAY]], member: false },
    },
  },
  {
    form: 'sequence: A then B within an hour, inside 7 days',
    criteria: (e) => ({
      sequence: {
        steps: [{ event: e('viewed') }, { event: e('added_to_cart') }],
        within: { amount: 1, unit: 'hours' },
        window: { inLast: { amount: 7, unit: 'days' } },
      },
    }),
    leads: {
      inOrder: {
        did: [
          ['viewed', 3 * HOUR],
          ['added_to_cart', 2.5 * HOUR],
        ],
        member: true,
      },
      reversed: {
        did: [
          ['added_to_cart', 3 * HOUR],
          ['viewed', 2.5 * HOUR],
        ],
        member: false,
      },
      tooSlow: {
        did: [
          ['viewed', 5 * HOUR],
          ['added_to_cart', 2 * HOUR],
        ],
        member: false,
      },
      tooLongAgo: {
        did: [
          ['viewed', 8 * DAY],
          ['added_to_cart', 8 * DAY - 10 * MINUTE],
        ],
        member: false,
      },
      laterStartFits: {
        did: [
          ['viewed', 6 * HOUR],
          ['viewed', 3 * HOUR],
          ['added_to_cart', 2.5 * HOUR],
        ],
        member: true,
      },
    },
  },
  {
    form: 'firstPerformed: the first order ever falls in the last 30 days',
    criteria: (e) => ({ firstPerformed: { event: e('order'), window: { inLast: { amount: 30, unit: 'days' } } } }),
    leads: {
      newCustomer: { did: [['order', 5 * DAY]], member: true },
      returning: {
        did: [
          ['order', 40 * DAY],
          ['order', 5 * DAY],
        ],
        member: false,
      },
      never: { did: [], member: false },
    },
  },
  {
    form: 'stoppedPerforming: active in the 30 days before the last 7, quiet since',
    criteria: (e) => ({
      stoppedPerforming: {
        event: e('login'),
        activeFor: { amount: 30, unit: 'days' },
        inactiveFor: { amount: 7, unit: 'days' },
      },
    }),
    leads: {
      lapsed: { did: [['login', 10 * DAY]], member: true },
      stillActive: {
        did: [
          ['login', 10 * DAY],
          ['login', 2 * DAY],
        ],
        member: false,
      },
      goneForLong: { did: [['login', 40 * DAY]], member: false },
    },
  },
  {
    form: 'aggregates of an order property: sum, avg, min, max, count',
    criteria: (e) => ({
      and: [
        {
          aggregate: {
            event: e('order'),
            fn: 'sum',
            property: 'revenue',
            operator: 'greater_than_or_equal',
            value: 250,
          },
        },
        { aggregate: { event: e('order'), fn: 'avg', property: 'revenue', operator: 'greater_than', value: 100 } },
        {
          aggregate: {
            event: e('order'),
            fn: 'min',
            property: 'revenue',
            operator: 'greater_than_or_equal',
            value: 50,
          },
        },
        { aggregate: { event: e('order'), fn: 'max', property: 'revenue', operator: 'less_than', value: 1000 } },
        { aggregate: { event: e('order'), fn: 'count', operator: 'less_than_or_equal', value: 3 } },
      ],
    }),
    leads: {
      fits: {
        did: [
          ['order', DAY, { revenue: 50 }],
          ['order', 2 * DAY, { revenue: 200 }],
        ],
        member: true,
      },
      lowSum: {
        did: [
          ['order', DAY, { revenue: 120 }],
          ['order', 2 * DAY, { revenue: 120 }],
        ],
        member: false,
      },
      tinyOrder: {
        did: [
          ['order', DAY, { revenue: 10 }],
          ['order', 2 * DAY, { revenue: 400 }],
        ],
        member: false,
      },
      hugeOrder: { did: [['order', DAY, { revenue: 1000 }]], member: false },
      tooMany: { did: [1, 2, 3, 4].map((d): Did => ['order', d * DAY, { revenue: 100 }]), member: false },
    },
  },
  {
    form: 'all-time counts, traits and score: one query over the rollups, the same leads as evaluation',
    via: 'rollups',
    criteria: (e) => ({
      and: [
        { performed: { event: e('visit'), minCount: 2, maxCount: 3 } },
        { notPerformed: { event: [e('churned'), e('refund')] } },
        { trait: { field: 'plan', operator: 'in', value: ['pro', 'team'] } },
        { trait: { field: 'seats', operator: 'greater_than', value: 5 } },
        {
          or: [
            { trait: { field: 'region', operator: 'not_exists' } },
            { trait: { field: 'region', operator: 'not_equals', value: 'eu' } },
          ],
        },
        { aggregate: { event: e('demo'), fn: 'count', operator: 'less_than', value: 2 } },
        { not: { score: { operator: 'less_than', value: 10 } } },
      ],
    }),
    leads: (() => {
      const visits = (n: number): Did[] => Array.from({ length: n }, (_, i): Did => ['visit', (i + 1) * HOUR]);
      const fitting = { plan: 'pro', seats: 10 };
      return {
        fits: { did: visits(2), traits: fitting, member: true },
        threeVisitsTeamUs: {
          did: [...visits(3), ['demo', HOUR]],
          traits: { plan: 'team', seats: 6, region: 'us', score: 40 },
          member: true,
        },
        fourVisits: { did: visits(4), traits: fitting, member: false },
        oneVisit: { did: visits(1), traits: fitting, member: false },
        refunded: { did: [...visits(2), ['refund', HOUR]], traits: fitting, member: false },
        planInAList: { did: visits(2), traits: { ...fitting, plan: ['pro'] }, member: false },
        seatsAsText: { did: visits(2), traits: { ...fitting, seats: '10' }, member: false },
        inEu: { did: visits(2), traits: { ...fitting, region: 'eu' }, member: false },
        twoDemos: { did: [...visits(2), ['demo', HOUR], ['demo', 2 * HOUR]], traits: fitting, member: false },
        lowScore: { did: visits(2), traits: { ...fitting, score: 5 }, member: false },
      } satisfies Record<string, LeadCase>;
    })(),
  },
  {
    form: 'lead trait and score conditions',
    via: 'rollups',
    criteria: () => ({
      and: [
        { trait: { field: 'plan', operator: 'equals', value: 'pro' } },
        { score: { operator: 'greater_than_or_equal', value: 50 } },
      ],
    }),
    leads: {
      proHighScore: { did: [], traits: { plan: 'pro', score: 80 }, member: true },
      proLowScore: { did: [], traits: { plan: 'pro', score: 20 }, member: false },
      freeHighScore: { did: [], traits: { plan: 'free', score: 90 }, member: false },
      noScore: { did: [], traits: { plan: 'pro' }, member: false },
    },
  },
  {
    form: 'nested AND / OR / NOT',
    via: 'rollups',
    criteria: (e) => ({
      or: [
        { and: [{ performed: { event: e('demo') } }, { not: { performed: { event: e('churned') } } }] },
        { not: { or: [{ trait: { field: 'plan', operator: 'exists' } }, { performed: { event: e('visit') } }] } },
      ],
    }),
    leads: {
      demoNotChurned: { did: [['demo', HOUR]], traits: { plan: 'pro' }, member: true },
      demoChurned: {
        did: [
          ['demo', HOUR],
          ['churned', MINUTE],
        ],
        traits: { plan: 'pro' },
        member: false,
      },
      noPlanNoVisit: { did: [], member: true },
      noPlanVisited: { did: [['visit', HOUR]], member: false },
    },
  },
  {
    form: "the product spec's shape: eventFilters with properties, frequencyFilters with a timeRange",
    spec: true,
    criteria: (e, now) => ({
      logicOperator: 'AND',
      eventFilters: [{ eventType: e('quote_request'), minFrequency: 1, properties: { product: 'solar' } }],
      frequencyFilters: [
        {
          eventTypes: [e('page_view'), e('form_start')],
          minCount: 2,
          timeRange: { start: instant(now, 10 * DAY), end: instant(now, -DAY) },
        },
      ],
    }),
    leads: {
      engaged: {
        did: [
          ['quote_request', HOUR, { product: 'solar' }],
          ['page_view', 2 * HOUR],
          ['form_start', HOUR],
        ],
        member: true,
      },
      otherProduct: {
        did: [
          ['quote_request', HOUR, { product: 'wind' }],
          ['page_view', 2 * HOUR],
          ['form_start', HOUR],
        ],
        member: false,
      },
      oldViews: {
        did: [
          ['quote_request', HOUR, { product: 'solar' }],
          ['page_view', 20 * DAY],
          ['form_start', 20 * DAY],
        ],
        member: false,
      },
    },
  },
];

describe('every criteria form against the real database', () => {
  const nudge = useApi();

  it.each(cases)('$form', async ({ criteria, leads, spec, via = 'events' }) => {
    const suffix = randomUUID().slice(0, 8);
    const e = (name: string) => `${name}_${suffix}`;
    const now = Date.now();
    // `ago` -1 and -2 stand for the between case's exact boundaries.
    const at = (ago: number) =>
      new Date(ago === -1 ? tenDaysBack(now) : ago === -2 ? threeDaysBack(now) : now - ago).toISOString();
    // Every lead of the case does the marker, so the case's criteria apply to its leads only.
    const marker = e('in_case');
    const own = criteria(e, now);
    const full = spec ? own : { and: [{ performed: { event: marker } }, own] };
    const id = `form-${suffix}`;
    const created = await nudge.client.admin('POST', '/v1/segments', { id, name: id, type: 'dynamic', criteria: full });
    expect(created.status).toBe(201);

    const expected = new Set<string>();
    const leadIds = new Map<string, string>();
    for (const [name, lead] of Object.entries(leads)) {
      const userId = `${name}-${suffix}`;
      const track = (event: string, timestamp: string, properties: Record<string, unknown> = {}) => ({
        type: 'track',
        userId,
        event,
        properties,
        timestamp,
        messageId: randomUUID(),
      });
      const batch = [
        { type: 'identify', userId, traits: lead.traits ?? {}, messageId: randomUUID() },
        track(marker, at(0)),
        ...lead.did.map(([event, ago, properties]) => track(e(event), at(ago), properties)),
      ];
      expect((await nudge.client.post('/v1/batch', { batch })).status).toBe(200);
      const found = await nudge.client.get<{ id: string }>(`/v1/leads/${userId}`);
      leadIds.set(found.body.id, name);
      if (lead.member) expected.add(name);
    }

    const members = await nudge.client.get<{ members: Array<{ leadId: string }> }>(
      `/v1/segments/${id}/members?limit=100`,
    );
    const preview = await nudge.client.admin<{ count: number; sample: Array<{ leadId: string }>; via: string }>(
      'POST',
      '/v1/segments/preview',
      { criteria: full, sampleSize: 100 },
    );

    const names = (found: Array<{ leadId: string }>) => found.map(({ leadId }) => leadIds.get(leadId) ?? leadId).sort();
    expect(names(members.body.members)).toEqual([...expected].sort());
    expect(names(preview.body.sample)).toEqual([...expected].sort());
    expect(preview.body.count).toBe(expected.size);
    expect(preview.body.via).toBe(via);
  });
});
