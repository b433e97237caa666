import { z } from 'zod';
import { runStatuses } from '../journey-run.model';
import { cursorParam, limitParam } from '../../../common/pagination';

/** `?leadId=&status=&limit=&cursor=` of a journey's executions; reuse it for any listing of them. */
export const executionsQuerySchema = z.object({
  /** A lead id, userId or anonymousId. */
  leadId: z.string().min(1).optional(),
  status: z.enum(runStatuses).optional(),
  limit: limitParam(200, 50),
  /** A keyset cursor (common/pagination.ts): the last run of the page before, by entry time and id. */
  cursor: cursorParam()
    .transform(({ at, id }) => ({ enteredAt: at, runId: id }))
    .optional(),
});

export type ExecutionsQuery = z.output<typeof executionsQuerySchema>;
