import { z } from 'zod';
import { cursorParam, encodeCursor, limitParam, pageOf } from './pagination';

describe('keyset pagination', () => {
  const query = z.object({ limit: limitParam(200, 50), cursor: cursorParam().optional() });

  it('reads back the cursor it wrote, and defaults the limit', () => {
    const at = new Date('2026-03-01T09:00:00.000Z');

    expect(query.parse({ cursor: encodeCursor(at, 'run-7') })).toEqual({ limit: 50, cursor: { at, id: 'run-7' } });
  });

  it.each([
    [{ cursor: 'not-ours' }, /cursor/],
    [{ cursor: Buffer.from('["x", 1]').toString('base64url') }, /cursor/],
    [{ limit: '0' }, /limit/],
    [{ limit: '201' }, /limit/],
  ])('refuses %p naming the parameter', (raw, field) => {
    const result = query.safeParse(raw);

    expect(result.success).toBe(false);
    expect(result.error!.issues.map((issue) => issue.path.join('.'))).toEqual([expect.stringMatching(field)]);
  });

  it('pages limit + 1 items read into a page and the cursor of the next, or none at the end', () => {
    const items = [3, 2, 1].map((n) => ({ id: `e${n}`, at: new Date(n * 1000) }));
    const cursorOf = (item: (typeof items)[number]) => item;

    expect(pageOf(items, 2, cursorOf)).toEqual({
      page: items.slice(0, 2),
      nextCursor: encodeCursor(items[1].at, 'e2'),
    });
    expect(pageOf(items.slice(0, 2), 2, cursorOf)).toEqual({ page: items.slice(0, 2), nextCursor: null });
  });
});
