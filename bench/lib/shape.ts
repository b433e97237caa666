import { mongo } from 'mongoose';
import { Batch, rollupKeyOf, SOURCE_ID, storedDocument } from './workload';

/**
 * Proof that the driver baseline writes what the API writes: the documents the API stored
 * for a batch, against the ones the bench builds from the same messages. Same fields of the
 * same types, and the same size, or the comparison between the two would mean nothing.
 */

export interface ShapeComparison {
  /** Mean BSON size of the API's documents and of the bench's, in bytes. */
  storedBytes: number;
  builtBytes: number;
  /** One line per document whose fields differ; empty when all match. */
  mismatches: string[];
}

export async function compareWithStored(events: mongo.Collection, batch: Batch): Promise<ShapeComparison> {
  let storedBytes = 0;
  let builtBytes = 0;
  const mismatches: string[] = [];
  for (const message of batch.messages) {
    const stored = await events.findOne({ _id: `${SOURCE_ID}:${message.messageId}` as never });
    if (!stored) {
      mismatches.push(`${message.messageId}: not stored`);
      continue;
    }
    // The API's receive time, so the clock-skew-corrected timestamp comes out the same.
    const key = rollupKeyOf(batch.visitor, batch.messages);
    const built = storedDocument(message, batch.visitor, stored.receivedAt as Date, key, batch.sentAt);
    storedBytes += bsonSize(stored);
    builtBytes += bsonSize(built);
    const [storedShape, builtShape] = [shapeOf(stored).join(', '), shapeOf(built).join(', ')];
    if (storedShape !== builtShape)
      mismatches.push(`${message.messageId}:\n  API stored: ${storedShape}\n  bench built: ${builtShape}`);
  }
  const count = batch.messages.length;
  return { storedBytes: storedBytes / count, builtBytes: builtBytes / count, mismatches };
}

/** What the document takes on the wire; `undefined` counts as null, as the driver sends it. */
export const bsonSize = (document: mongo.Document): number =>
  mongo.BSON.calculateObjectSize(document, { ignoreUndefined: false });

/** `path:type` of every leaf, sorted, so that field order does not matter. */
function shapeOf(value: unknown, path = ''): string[] {
  if (value instanceof Date) return [`${path}:date`];
  if (value === null || value === undefined) return [`${path}:null`];
  if (Array.isArray(value)) return value.flatMap((item, i) => shapeOf(item, `${path}[${i}]`));
  if (typeof value === 'object')
    return Object.entries(value)
      .flatMap(([key, child]) => shapeOf(child, path ? `${path}.${key}` : key))
      .sort();
  return [`${path}:${typeof value}`];
}
