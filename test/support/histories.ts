import * as proto from '@temporalio/proto';
import { patchProtobufRoot } from '@temporalio/proto/lib/patch-protobuf-root';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';

/**
 * Workflow histories as JSON files: the replay fixtures under test/fixtures/histories/.
 *
 * The format is Temporal's own (what `historyToJSON` and `temporal workflow show -o json`
 * write), but not through @temporalio/common's historyToJSON/historyFromJSON: they throw
 * "type must be a Type" whenever npm installs separate copies of protobufjs under
 * @temporalio/common and @temporalio/proto (it does here, @grpc/proto-loader holding
 * protobufjs 7 at the top). The same conversion through the copy @temporalio/proto's types
 * belong to works whatever the layout.
 */

type History = proto.temporal.api.history.v1.IHistory;

// eslint-disable-next-line @typescript-eslint/no-require-imports
const protojson = require(
  require.resolve('protobufjs/ext/protojson', {
    paths: [require.resolve('@temporalio/proto')],
  }),
) as {
  toJson: (type: unknown, message: unknown) => unknown;
  fromJson: (type: unknown, json: unknown, options: object) => History;
};
const historyType = (patchProtobufRoot(proto) as unknown as { lookupType: (name: string) => unknown }).lookupType(
  'temporal.api.history.v1.History',
);

export const FIXTURES_DIR = join(__dirname, '..', 'fixtures', 'histories');

export function historyToJson(history: History): string {
  return JSON.stringify(
    protojson.toJson(historyType, proto.temporal.api.history.v1.History.fromObject(history)),
    null,
    2,
  );
}

export function historyFromJson(json: unknown): History {
  return protojson.fromJson(historyType, json, { ignoreUnknownFields: true });
}

/** Every fixture, by name (its file name without `.json`). */
export function readFixtures(): { name: string; history: History }[] {
  return readdirSync(FIXTURES_DIR)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => ({
      name: basename(file, '.json'),
      history: historyFromJson(JSON.parse(readFileSync(join(FIXTURES_DIR, file), 'utf8'))),
    }));
}

/**
 * With RECORD_HISTORIES=1, saves a workflow's history as fixture `name` (how the fixtures
 * are re-recorded: see test/replay/journey-workflows.replay.spec.ts); otherwise does nothing.
 */
export async function saveHistory(name: string, handle: { fetchHistory: () => Promise<History> }): Promise<void> {
  if (process.env.RECORD_HISTORIES !== '1') return;
  const file = join(FIXTURES_DIR, `${name}.json`);
  writeFileSync(file, historyToJson(await handle.fetchHistory()));
  // As the repository formats JSON, so that `npm run lint` accepts a fresh recording.
  execFileSync(process.execPath, [require.resolve('prettier/bin/prettier.cjs'), '--write', '--log-level=warn', file]);
}
