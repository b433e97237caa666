import { z } from 'zod';

/**
 * Keyset pagination, as every listing pages: newest first, a `limit`, and an opaque `cursor`
 * naming the last item of the page before (its time and id), so a page never skips or
 * repeats an item written meanwhile.
 */

/** `?limit=`: an integer from 1 to `max`, `fallback` when absent. */
export const limitParam = (max: number, fallback: number) => z.coerce.number().int().min(1).max(max).default(fallback);

/** The cursor of the page after the one ending at this item. */
export const encodeCursor = (at: Date, id: string) =>
  Buffer.from(JSON.stringify([at.getTime(), id])).toString('base64url');

/** `?cursor=`, as encodeCursor made it: `{ at, id }`, or a 400 naming the parameter. */
export const cursorParam = () =>
  z.string().transform((value, context) => {
    try {
      const [at, id] = cursorTuple.parse(JSON.parse(Buffer.from(value, 'base64url').toString('utf8')));
      return { at: new Date(at), id };
    } catch {
      context.addIssue({ code: 'custom', message: 'is not a cursor this API returned' });
      return z.NEVER;
    }
  });

const cursorTuple = z.tuple([z.number().int(), z.string()]);

/**
 * A page from `limit + 1` items read: the first `limit`, and the cursor of the next page if
 * there is one (`cursorOf` says where an item sits).
 */
export function pageOf<T>(items: readonly T[], limit: number, cursorOf: (item: T) => { at: Date; id: string }) {
  const page = items.slice(0, limit);
  const last = page.at(-1);
  const next = items.length > limit && last ? cursorOf(last) : undefined;
  return { page, nextCursor: next ? encodeCursor(next.at, next.id) : null };
}
