import { mongo } from 'mongoose';
import { secondaryIndexKeys } from './clients';
import { Check, LatencyFigures } from './report';

/**
 * What must hold for the figures to mean anything: everything sent was stored, every
 * request succeeded, and the baseline's collection is indexed like the API's. A failed
 * check fails the run.
 */

type AnyCollection = mongo.Collection<mongo.Document>;

export async function countCheck(name: string, collection: AnyCollection, sent: number): Promise<Check> {
  const stored = await collection.countDocuments();
  return { name, ok: stored === sent, detail: `${stored} stored, ${sent} sent` };
}

export function errorCheck(name: string, latency: LatencyFigures): Check {
  return {
    name: `${name} answered every request`,
    ok: latency.errors === 0,
    detail: latency.errors ? `${latency.errors} failed, e.g. ${latency.errorMessages.join(' | ')}` : 'no errors',
  };
}

export async function sameIndexesCheck(api: AnyCollection, raw: AnyCollection): Promise<Check> {
  const describe = async (collection: AnyCollection) =>
    (await secondaryIndexKeys(collection)).map((key) => JSON.stringify(key)).join(' ');
  const [apiIndexes, rawIndexes] = await Promise.all([describe(api), describe(raw)]);
  return {
    name: `${raw.collectionName} has the indexes of ${api.collectionName}`,
    ok: apiIndexes === rawIndexes,
    detail: rawIndexes,
  };
}
