import { Test } from '@nestjs/testing';
import { getConnectionToken } from '@nestjs/mongoose';
import { Connection } from 'mongoose';
import { ConfigModule } from '../../src/config/config.module';
import { DatabaseModule } from '../../src/database/database.module';
import { SelfCheckRepository } from '../../src/self-check/self-check.repository';
import { SelfCheckModule } from '../../src/self-check/self-check.module';
import { TemporalClientModule } from '../../src/temporal/temporal-client.module';

describe('MongoDB through mongoose (FerretDB)', () => {
  let sut: SelfCheckRepository;
  let connection: Connection;
  let close: () => Promise<void>;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [ConfigModule, DatabaseModule, TemporalClientModule, SelfCheckModule],
    }).compile();
    const app = await moduleRef.init();
    sut = app.get(SelfCheckRepository);
    connection = app.get(getConnectionToken());
    close = () => app.close();
  });

  afterAll(async () => {
    await connection.dropDatabase();
    await close();
  });

  it('reads back a document written through mongoose, from the server itself', async () => {
    const written = await sut.upsert(
      { checkId: 'check-1', message: 'hello', workerIdentity: 'w1' },
      new Date('2026-01-02T03:04:05Z'),
    );

    const found = await sut.findById('check-1');
    const raw = await connection.db!.collection('self_checks').findOne({ _id: 'check-1' as never });

    expect(written).toEqual({
      checkId: 'check-1',
      message: 'hello',
      workerIdentity: 'w1',
      recordedAt: new Date('2026-01-02T03:04:05Z'),
    });
    expect(found).toEqual(written);
    expect(raw).toMatchObject({ message: 'hello', workerIdentity: 'w1' });
  });

  it('upserts by id: a retried write keeps one document and its first timestamp', async () => {
    await sut.upsert({ checkId: 'check-2', message: 'first', workerIdentity: 'w1' }, new Date('2026-01-01T00:00:00Z'));
    const retried = await sut.upsert(
      { checkId: 'check-2', message: 'second', workerIdentity: 'w2' },
      new Date('2026-06-01T00:00:00Z'),
    );

    expect(retried.recordedAt).toEqual(new Date('2026-01-01T00:00:00Z'));
    expect(retried.message).toBe('second');
    expect(await connection.db!.collection('self_checks').countDocuments({ _id: 'check-2' as never })).toBe(1);
  });

  it('answers null for a missing id', async () => {
    expect(await sut.findById('nope')).toBeNull();
  });
});
