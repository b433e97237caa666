import { mongo } from 'mongoose';
import { duplicateKeyIndexes } from './mongo-errors';

const UPSERT_ATTEMPTS = 3;

/**
 * An unordered bulk write of upserts. Two requests upserting the same new `_id` at once can
 * both try the insert, and the loser gets a duplicate-key error (MongoDB documents this for
 * upserts); run again, its upsert finds the document and updates it, so those are retried.
 */
export async function bulkUpsert<T extends mongo.Document>(
  collection: mongo.Collection<T>,
  operations: mongo.AnyBulkWriteOperation<T>[],
): Promise<void> {
  let pending = operations;
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
