/**
 * Where the real servers of this test run are. `npm test` starts them on free ports and
 * passes their addresses in these variables; run jest directly only with them set.
 */
export interface TestStack {
  mongodbUri: string;
  temporalAddress: string;
  temporalTestServerPath: string;
}

const variables = {
  mongodbUri: 'NUDGE_TEST_MONGODB_URI',
  temporalAddress: 'NUDGE_TEST_TEMPORAL_ADDRESS',
  temporalTestServerPath: 'NUDGE_TEST_TEMPORAL_TEST_SERVER',
} as const satisfies Record<keyof TestStack, string>;

export function testStack(): TestStack {
  const missing = Object.values(variables).filter((name) => !process.env[name]);
  if (missing.length > 0) {
    throw new Error(
      `Integration tests need the servers that \`npm test\` starts (missing ${missing.join(', ')}). Run them with \`npm test\`.`,
    );
  }
  return Object.fromEntries(
    Object.entries(variables).map(([key, name]) => [key, process.env[name] as string]),
  ) as unknown as TestStack;
}
