import { z } from 'zod';
import { journeyDefinitionSchema } from './journey-definition.request';

const journeyId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'lowercase letters, digits or "-", at most 64');

/** `POST /v1/journeys`: `{ id?, definition }`. */
export const createJourneySchema = z.object({ id: journeyId.optional(), definition: journeyDefinitionSchema });
