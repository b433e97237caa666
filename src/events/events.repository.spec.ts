import { Model, mongo } from 'mongoose';
import { TrackedEvent } from './event.model';
import { FailedEvent } from './failed-event.model';
import { EventRecord, EventsRepository } from './events.repository';

const record = (messageId: string) => ({ sourceId: 'web', messageId }) as EventRecord;

/** A repository whose events collection fails insertMany the way the driver does. */
function repositoryFailingWith(error: Error) {
  const events = { collection: { insertMany: jest.fn().mockRejectedValue(error) } } as unknown as Model<TrackedEvent>;
  return new EventsRepository(events, {} as Model<FailedEvent>);
}

const bulkError = (writeErrors: Array<{ index: number; code: number }>, cause?: Error) =>
  Object.assign(
    new mongo.MongoBulkWriteError(
      { message: 'bulk write failed', code: writeErrors[0]?.code ?? 0, writeErrors } as never,
      {} as never,
    ),
    {
      errorResponse: cause,
    },
  );

describe('EventsRepository.insertNew', () => {
  it('reports the messages already stored (duplicate keys) as not new, the others as new', async () => {
    const sut = repositoryFailingWith(bulkError([{ index: 1, code: 11000 }]));

    await expect(sut.insertNew([record('a'), record('b'), record('c')])).resolves.toEqual([true, false, true]);
  });

  it('fails when a bulk error carries no write errors: the server was unreachable and nothing is known stored', async () => {
    const unreachable = new mongo.MongoServerSelectionError('connect ECONNREFUSED', {} as never);
    const sut = repositoryFailingWith(bulkError([], unreachable));

    await expect(sut.insertNew([record('a')])).rejects.toBeInstanceOf(mongo.MongoBulkWriteError);
  });

  it('fails on any write error other than a duplicate key', async () => {
    const sut = repositoryFailingWith(
      bulkError([
        { index: 0, code: 11000 },
        { index: 1, code: 2 },
      ]),
    );

    await expect(sut.insertNew([record('a'), record('b')])).rejects.toBeInstanceOf(mongo.MongoBulkWriteError);
  });
});
