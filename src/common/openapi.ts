import { z } from 'zod';

/**
 * `@ApiBody(bodyDocs(schema))`: a zod request schema as the OpenAPI docs show it (the input
 * side, before defaults and transforms; what JSON Schema cannot say is left open).
 */
export const bodyDocs = (schema: z.ZodType) => ({
  schema: z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as object,
});
