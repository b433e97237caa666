/**
 * Two projects: `unit` specs sit beside the code and need nothing running; `integration`
 * specs under test/ talk to the real servers that `npm test` (tools/stack/test.ts) starts
 * and describes in NUDGE_TEST_* environment variables.
 */
// content-disposition (via @fastify/static, which serves the Swagger UI) ships only ESM;
// jest on Node 20 cannot require ESM, so ts-jest transpiles that one package to CommonJS.
const esmOnlyPackages = ['content-disposition'];
const transform = {
  '^.+\\.ts$': 'ts-jest',
  [`/node_modules/(${esmOnlyPackages.join('|')})/.+\\.js$`]: ['ts-jest', { tsconfig: { allowJs: true } }],
};
const transformIgnorePatterns = [`/node_modules/(?!(${esmOnlyPackages.join('|')})/)`];

/** @type {import('jest').Config} */
module.exports = {
  // Global, not per project: jest ignores testTimeout inside a project.
  testTimeout: 60_000,
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      transform,
      transformIgnorePatterns,
      // test/lint checks the repository's own rules and needs no servers either.
      roots: ['<rootDir>/src', '<rootDir>/workflows', '<rootDir>/activities', '<rootDir>/tools', '<rootDir>/test/lint'],
      testMatch: ['**/*.spec.ts'],
    },
    {
      displayName: 'integration',
      testEnvironment: 'node',
      transform,
      transformIgnorePatterns,
      roots: ['<rootDir>/test'],
      testPathIgnorePatterns: ['<rootDir>/test/lint/'],
      testMatch: ['**/*.spec.ts'],
      setupFiles: ['<rootDir>/test/support/setup-env.ts'],
    },
  ],
};
