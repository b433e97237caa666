import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { MembershipsRepository } from '../../src/segments/memberships.repository';
import type { RecalculationResult } from '../../workflows/contracts/segment.contract';
import { useWorker } from '../support/worker';
import { bearer, databaseOf, DEV_SECRET_KEY, useApi } from '../support/tracking';

interface Imported {
  segmentId: string;
  mode: string;
  ids: number;
  leadsFound: number;
  unknownCount: number;
  unknownLeadIds: string[];
  membersSync: 'started' | 'done';
  workflowId?: string;
  message?: string;
}

/**
 * A static segment's list imported from a CSV file, as a CRM team exports it from a
 * spreadsheet: against the real API, database and worker (the members move in a workflow),
 * several thousand leads, so every write runs in more than one chunk.
 */
describe('static segments: CSV import', () => {
  const nudge = useApi();
  const worker = useWorker();
  const run = randomUUID().slice(0, 8);
  const userIds = Array.from({ length: 2_500 }, (_, i) => `imp-${run}-${i}`);

  beforeAll(async () => {
    for (let start = 0; start < userIds.length; start += 500) {
      const batch = userIds.slice(start, start + 500).map((userId) => ({
        type: 'track',
        userId,
        event: 'page_view',
        messageId: `m-${userId}`,
      }));
      expect((await nudge.client.post('/v1/batch', { batch })).status).toBe(200);
    }
  });

  const importCsv = async (
    segmentId: string,
    csv: string | Buffer,
    query = '',
    headers: Record<string, string> = {},
  ) => {
    const response = await fetch(`${nudge.api.url}/v1/segments/${segmentId}/import${query}`, {
      method: 'POST',
      headers: { authorization: bearer(DEV_SECRET_KEY), 'content-type': 'text/csv', ...headers },
      body: csv,
    });
    return { status: response.status, body: (await response.json()) as Imported };
  };

  /** Imports, and waits for the workflow that moves the members: what it entered and let out. */
  const importAndMove = async (segmentId: string, csv: string | Buffer, query = '', headers = {}) => {
    const imported = await importCsv(segmentId, csv, query, headers);
    expect(imported).toMatchObject({ status: 202, body: { membersSync: 'started' } });
    const moved = await worker.temporal.workflow
      .getHandle<() => Promise<RecalculationResult>>(imported.body.workflowId!)
      .result();
    return { ...imported.body, ...moved };
  };

  const segmentEvents = (segmentId: string, eventType: string) =>
    databaseOf(nudge.api.app).collection('events').countDocuments({ eventType, 'properties.segmentId': segmentId });

  async function staticSegment(): Promise<string> {
    const id = `import-${randomUUID().slice(0, 8)}`;
    const created = await nudge.client.admin('POST', '/v1/segments', { id, name: 'Imported', type: 'static' });
    expect(created.status).toBe(201);
    return id;
  }

  it('adds the leads a spreadsheet export names, once each, and records each entry once', async () => {
    const id = await staticSegment();
    // A notes column makes the file larger than the 500 KB an event batch may be: files have their own limit.
    const notes = `"${'Called twice, prefers email. '.repeat(10)}"`;
    const rows = userIds.slice(0, 2_000).map((userId, i) => `"Lead ${i}",${userId},${i % 2 ? 'pro' : 'free'},${notes}`);
    const csv = ['name,external_id,plan,notes', ...rows, 'Ghost,nobody-1,free,', `Twice,${userIds[0]},pro,`].join(
      '\r\n',
    );
    expect(csv.length).toBeGreaterThan(512_000);

    const first = await importAndMove(id, csv);

    expect(first).toMatchObject({ mode: 'add', ids: 2_002, leadsFound: 2_000, unknownCount: 1 });
    expect(first).toMatchObject({ unknownLeadIds: ['nobody-1'], evaluated: 2_000, entered: 2_000, exited: 0 });
    expect(await segmentEvents(id, 'segment_entered')).toBe(2_000);

    // The same file again, and more leads gzipped: only the new ones enter.
    expect(await importAndMove(id, csv)).toMatchObject({ entered: 0, exited: 0 });
    const more = gzipSync(['userId', ...userIds.slice(1_500)].join('\n'));
    const added = await importAndMove(id, more, '', { 'content-encoding': 'gzip' });
    expect(added).toMatchObject({ leadsFound: 1_000, evaluated: 2_500, entered: 500, exited: 0 });
    expect(await segmentEvents(id, 'segment_entered')).toBe(2_500);
    const members = databaseOf(nudge.api.app).collection('segment_members');
    expect(await members.countDocuments({ segmentId: id, member: true })).toBe(2_500);
  });

  it('replaces the list, letting out everyone it no longer names', async () => {
    const id = await staticSegment();
    await importAndMove(id, userIds.slice(0, 1_200).join('\n'));

    const replaced = await importAndMove(id, userIds.slice(1_000, 1_300).join('\n'), '?mode=replace');

    expect(replaced).toMatchObject({ mode: 'replace', evaluated: 300, entered: 100, exited: 1_000 });
    expect(await segmentEvents(id, 'segment_exited')).toBe(1_000);
    type Stored = { leadIds: string[]; leadCount: number; lastCalculation: Record<string, number> };
    const stored = await nudge.client.get<Stored>(`/v1/segments/${id}`);
    expect(stored.body).toMatchObject({
      leadCount: 300,
      lastCalculation: { entered: 100, exited: 1_000, members: 300 },
    });
    expect(stored.body.leadIds).toHaveLength(300);
    const listed = await nudge.client.get<{ segments: Array<{ id: string; leadIds?: unknown }> }>('/v1/segments');
    expect(listed.body.segments.find((segment) => segment.id === id)).not.toHaveProperty('leadIds');
  });

  it('records the events a sync that crashed after its moves still owes, once', async () => {
    const id = await staticSegment();
    const lead = await nudge.client.get<{ id: string }>(`/v1/leads/${userIds[0]}`);
    // A sync killed right after entering the lead, before recording its event.
    await nudge.api.app.get(MembershipsRepository).enter('dev', id, [lead.body.id], new Date());
    expect(await segmentEvents(id, 'segment_entered')).toBe(0);

    expect(await importAndMove(id, userIds.slice(0, 3).join('\n'))).toMatchObject({ entered: 2 });
    expect(await segmentEvents(id, 'segment_entered')).toBe(3);
    expect(await importAndMove(id, userIds[0], '?mode=replace')).toMatchObject({ exited: 2 });
    expect(await segmentEvents(id, 'segment_entered')).toBe(3);
    expect(await segmentEvents(id, 'segment_exited')).toBe(2);
  });

  it('refuses what it cannot import, naming the field, and keeps the list it had', async () => {
    const id = await staticSegment();
    await importAndMove(id, userIds.slice(0, 10).join('\n'));
    const criteria = await nudge.client.admin<{ id: string }>('POST', '/v1/segments', {
      name: 'Criteria',
      type: 'dynamic',
      criteria: { performed: { event: 'page_view' } },
    });

    expect(await importCsv(id, 'a,b\n1,2')).toMatchObject({
      status: 400,
      body: { message: expect.stringMatching(/^body: the CSV file has several columns/) },
    });
    expect(await importCsv(id, 'id\n"unclosed\n')).toMatchObject({ status: 400 });
    expect(await importCsv(id, 'id,crm\n1,2', '?column=owner')).toMatchObject({
      status: 400,
      body: { message: 'column: no column of the CSV header (id, crm) is "owner"' },
    });
    expect(await importCsv(id, 'u1', '?mode=merge')).toMatchObject({ status: 400, body: { message: /^mode: / } });
    expect(await importCsv(criteria.body.id, 'u1')).toMatchObject({
      status: 400,
      body: { message: 'type: only a static segment imports a list of leads' },
    });
    const json = await nudge.client.admin('POST', `/v1/segments/${id}/import`, { leadIds: ['u1'] });
    expect(json).toMatchObject({ status: 415, body: { message: 'Content-Type: send the file as text/csv' } });
    expect(await importCsv('no-such-segment', 'u1')).toMatchObject({ status: 404 });
    const huge = `id\n${`${'x'.repeat(99)}\n`.repeat(90_000)}`; // 9 MB
    expect(await importCsv(id, huge)).toMatchObject({
      status: 413,
      body: { message: 'body: larger than the 8192 KB (8388608 bytes) limit per request' },
    });
    expect((await nudge.client.get<{ leadCount: number }>(`/v1/segments/${id}`)).body.leadCount).toBe(10);
  });
});
