import { ApplicationFailure } from '@temporalio/common';
import type { JourneyActivities } from '../workflows/contracts/journey-activities';
import type { JourneyDefinition } from '../workflows/contracts/journey-definition';

/** Published journey versions, as the worker hands in JourneyVersionsReader. */
export interface JourneyVersions {
  definitionOrNull(workspaceId: string, journeyId: string, version: number): Promise<JourneyDefinition | null>;
}

export interface JourneysDeps {
  journeyVersions: JourneyVersions;
}

export function createJourneysActivities({ journeyVersions }: JourneysDeps) {
  return {
    /** The definition a run interprets. A version that does not exist fails the run: no retry brings it. */
    async getJourneyDefinition({
      workspaceId,
      journeyId,
      version,
    }: {
      workspaceId: string;
      journeyId: string;
      version: number;
    }): Promise<JourneyDefinition> {
      const definition = await journeyVersions.definitionOrNull(workspaceId, journeyId, version);
      if (definition) return definition;
      throw ApplicationFailure.nonRetryable(
        `journey "${journeyId}" has no published version ${version} in workspace "${workspaceId}"`,
        'JOURNEY_VERSION_NOT_FOUND',
      );
    },
  } satisfies Pick<JourneyActivities, 'getJourneyDefinition'>;
}
