import { mongo } from 'mongoose';
import { duplicateKeyIndexes } from './mongo-errors';

/**
 * FerretDB 1.24 (SQLite) stops answering an update command that modifies 100 or more
 * existing documents at once, and holds its lock while it hangs. Sending bulk writes in
 * chunks below that keeps the local stack alive; MongoDB just sees a few more commands.
 */
export const BULK_WRITE_CHUNK = 50;
const UPSERT_ATTEMPTS = 3;

/**
 * An unordered bulk write in chunks. Two requests upserting the same new `_id` at once can
 * both try the insert, and the loser gets a duplicate-key error (MongoDB documents this for
 * upserts); run again, its upsert finds the document and updates it, so those are retried.
 */
export async function chunkedBulkWrite<T extends mongo.Document>(
  collection: mongo.Collection<T>,
  operations: mongo.AnyBulkWriteOperation<T>[],
): Promise<void> {
  for (let start = 0; start < operations.length; start += BULK_WRITE_CHUNK) {
    let pending = operations.slice(start, start + BULK_WRITE_CHUNK);
    for (let attempt = 1; pending.length; attempt++) {
      try {
        await collection.bulkWrite(pending, { ordered: false });
        pending = [];
      } catch (error) {
        const failed = duplicateKeyIndexes(error);
        if (!failed || attempt === UPSERT_ATTEMPTS) throw error;
        pending = failed.map((index) => pending[index]);
      }
    }
  }
}
