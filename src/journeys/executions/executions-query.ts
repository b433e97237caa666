import { z } from 'zod';
import { runStatuses } from './journey-run.model';

const cursorSchema = z.tuple([z.number().int(), z.string()]);

/** An opaque keyset cursor: the last run of a page, by entry time and id. */
export const encodeCursor = (run: { enteredAt: Date; runId: string }) =>
  Buffer.from(JSON.stringify([run.enteredAt.getTime(), run.runId])).toString('base64url');

/** `?leadId=&status=&limit=&cursor=` of a journey's executions; reuse it for any listing of them. */
export const executionsQuerySchema = z.object({
  /** A lead id, userId or anonymousId. */
  leadId: z.string().min(1).optional(),
  status: z.enum(runStatuses).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z
    .string()
    .transform((value, context) => {
      try {
        const [enteredAt, runId] = cursorSchema.parse(JSON.parse(Buffer.from(value, 'base64url').toString('utf8')));
        return { enteredAt: new Date(enteredAt), runId };
      } catch {
        context.addIssue({ code: 'custom', message: 'is not a cursor this API returned' });
        return z.NEVER;
      }
    })
    .optional(),
});

export type ExecutionsQuery = z.output<typeof executionsQuerySchema>;
