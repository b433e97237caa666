import type { mongo } from 'mongoose';

/**
 * FerretDB 1.24 (SQLite) stops answering an update command that modifies 100 or more
 * existing documents at once, and holds its lock while it hangs. Sending bulk writes in
 * chunks below that keeps the local stack alive; MongoDB just sees a few more commands.
 */
export const BULK_WRITE_CHUNK = 50;

export async function chunkedBulkWrite<T extends mongo.Document>(
  collection: mongo.Collection<T>,
  operations: mongo.AnyBulkWriteOperation<T>[],
  options: mongo.BulkWriteOptions = { ordered: false },
): Promise<void> {
  for (let start = 0; start < operations.length; start += BULK_WRITE_CHUNK) {
    await collection.bulkWrite(operations.slice(start, start + BULK_WRITE_CHUNK), options);
  }
}
