import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/**
 * Search attributes ops filter by in the Temporal UI (e.g. `LeadId = "lead_42"`).
 * The local stack registers every one of these on the dev server; production registers
 * them once per namespace (see docker-compose.yml).
 */
export const LeadId = defineSearchAttributeKey('LeadId', SearchAttributeType.KEYWORD);
export const JourneyId = defineSearchAttributeKey('JourneyId', SearchAttributeType.KEYWORD);
export const JourneyVersion = defineSearchAttributeKey('JourneyVersion', SearchAttributeType.INT);
export const Step = defineSearchAttributeKey('Step', SearchAttributeType.KEYWORD);

export const searchAttributes = [LeadId, JourneyId, JourneyVersion, Step] as const;
