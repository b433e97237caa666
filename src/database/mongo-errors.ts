import { mongo } from 'mongoose';

const DUPLICATE_KEY = 11000;

export const isDuplicateKey = (error: unknown): boolean =>
  error instanceof mongo.MongoServerError && error.code === DUPLICATE_KEY;

/**
 * The operations of an unordered bulk write that were refused only as duplicate keys, by
 * index; undefined when it failed in any other way. A bulk error with no write errors at
 * all (the server unreachable) is such a failure: nothing in it is known to be stored.
 */
export function duplicateKeyIndexes(error: unknown): number[] | undefined {
  if (!(error instanceof mongo.MongoBulkWriteError)) return undefined;
  const writeErrors = [error.writeErrors].flat();
  if (!writeErrors.length || writeErrors.some((e) => e.code !== DUPLICATE_KEY)) return undefined;
  return writeErrors.map((e) => e.index);
}

/**
 * Runs an insert (or upsert) whose `_id` may already exist: true if it wrote, false if the
 * document was there already, e.g. a retry, or the loser of two racing upserts on FerretDB.
 */
export async function ignoreDuplicate(insert: () => Promise<unknown>): Promise<boolean> {
  try {
    await insert();
    return true;
  } catch (error) {
    if (isDuplicateKey(error)) return false;
    throw error;
  }
}
