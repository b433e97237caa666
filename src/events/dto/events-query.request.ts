import { z } from 'zod';
import { cursorParam, limitParam } from '../../common/pagination';

/** `GET /v1/leads/:id/events`: a time window, an event type, and a page. */
export const eventsQuerySchema = z.object({
  from: z.iso
    .datetime({ offset: true })
    .transform((v) => new Date(v))
    .optional(),
  to: z.iso
    .datetime({ offset: true })
    .transform((v) => new Date(v))
    .optional(),
  type: z.string().min(1).optional(),
  limit: limitParam(1000, 100),
  cursor: cursorParam()
    .transform(({ at, id }) => ({ timestamp: at, id }))
    .optional(),
});
