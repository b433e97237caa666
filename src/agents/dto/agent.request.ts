import { z } from 'zod';
import { limitParam } from '../../common/pagination';
import { assignmentStatuses } from '../assignment.model';
import { taskStatuses } from '../task.model';

/** The agents routes' request bodies and queries. */
const fields = {
  name: z.string().trim().min(1).max(200),
  email: z.email().transform((email) => email.toLowerCase()),
  // Checked here rather than in the key schema, whose failure zod reports only as "Invalid key in record".
  traits: z.record(z.string(), z.unknown()).superRefine((traits, context) => {
    for (const key of Object.keys(traits)) {
      if (/^$|[$.]/.test(key))
        context.addIssue({ code: 'custom', path: [key], message: 'no "$" or "." in a trait name' });
    }
  }),
  active: z.boolean(),
};
export const createAgentSchema = z.object({
  ...fields,
  traits: fields.traits.default({}),
  active: fields.active.default(true),
});
export const updateAgentSchema = z
  .strictObject(fields)
  .partial()
  .refine((changes) => Object.keys(changes).length > 0, 'name, email, traits or active is required');

const filters = {
  leadId: z.string().min(1).optional(),
  agentId: z.string().min(1).optional(),
  limit: limitParam(1000, 100),
};
export const assignmentsQuerySchema = z.object({ ...filters, status: z.enum(assignmentStatuses).optional() });
export const tasksQuerySchema = z.object({ ...filters, status: z.enum(taskStatuses).optional() });
