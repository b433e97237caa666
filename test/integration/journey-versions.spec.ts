import { INestApplicationContext } from '@nestjs/common';
import { getConnectionToken } from '@nestjs/mongoose';
import { Test } from '@nestjs/testing';
import { ApplicationFailure } from '@temporalio/common';
import { Connection } from 'mongoose';
import { createJourneysActivities } from '../../activities/journeys.activities';
import { ConfigModule } from '../../src/config/config.module';
import { DatabaseModule } from '../../src/database/database.module';
import { formAbandonmentRecovery } from '../../src/journeys/examples/form-abandonment-recovery';
import { JourneyVersionsModule } from '../../src/journeys/journey-versions.module';
import { JourneyVersionsReader } from '../../src/journeys/journey-versions.reader';
import { JourneysModule } from '../../src/journeys/journeys.module';
import { JourneysService } from '../../src/journeys/journeys.service';

describe('getJourneyDefinition: a run loads its published version by reference (FerretDB)', () => {
  const workspaceId = 'ws_versions';
  let app: INestApplicationContext;
  let sut: ReturnType<typeof createJourneysActivities>;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [ConfigModule, DatabaseModule, JourneysModule, JourneyVersionsModule],
    }).compile();
    app = await moduleRef.init();
    sut = createJourneysActivities({ journeyVersions: app.get(JourneyVersionsReader) });
    const journeys = app.get(JourneysService);
    await journeys.create(workspaceId, formAbandonmentRecovery, 'recovery');
    await journeys.publish(workspaceId, 'recovery');
  });

  afterAll(async () => {
    await app.get<Connection>(getConnectionToken()).db!.dropDatabase();
    await app.close();
  });

  it('returns the definition the version was published with', async () => {
    const definition = await sut.getJourneyDefinition({ workspaceId, journeyId: 'recovery', version: 1 });

    expect(definition).toEqual(formAbandonmentRecovery);
  });

  it.each([
    ['a version never published', workspaceId, 2],
    ["another workspace's journey", 'ws_elsewhere', 1],
  ])('fails the run, without retries, for %s', async (_, workspace, version) => {
    const failure = await sut
      .getJourneyDefinition({ workspaceId: workspace, journeyId: 'recovery', version })
      .catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({ nonRetryable: true, type: 'JOURNEY_VERSION_NOT_FOUND' });
  });
});
