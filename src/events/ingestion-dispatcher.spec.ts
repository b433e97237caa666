import { IngestionDispatcher, StoredBatch } from './ingestion-dispatcher';

describe('IngestionDispatcher', () => {
  const batch = { workspaceId: 'w', events: [{ leadId: 'l' }] } as unknown as StoredBatch;

  it('lets every listener subscribed first finish before the others start', async () => {
    const sut = new IngestionDispatcher();
    const order: string[] = [];
    const slow = (name: string, ms: number) => async () => {
      order.push(`${name} start`);
      await new Promise((resolve) => setTimeout(resolve, ms));
      order.push(`${name} end`);
    };
    sut.subscribe(slow('journeys', 1));
    sut.subscribe(slow('segments', 20), { first: true });

    await sut.dispatch(batch);

    expect(order).toEqual(['segments start', 'segments end', 'journeys start', 'journeys end']);
  });

  it('does not run the later listeners when a first one fails, so the request fails and is retried', async () => {
    const sut = new IngestionDispatcher();
    const later = jest.fn(async () => {});
    sut.subscribe(later);
    sut.subscribe(async () => Promise.reject(new Error('database down')), { first: true });

    await expect(sut.dispatch(batch)).rejects.toThrow('database down');
    expect(later).not.toHaveBeenCalled();
  });
});
