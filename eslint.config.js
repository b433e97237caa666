// @ts-check
// CommonJS, not .mjs: test/lint requires this file, and jest cannot import() ESM on Node 20.
const eslint = require('@eslint/js');
const { builtinModules } = require('node:module');
const tseslint = require('typescript-eslint');

/** src/ outside the worker may use workflows' contracts and pure helpers, nothing that runs them. */
const workflowsOnlyThroughContracts = {
  regex: '(^|/)workflows(/(?!(contracts|lib)(/|$))|$)',
  message: 'src/ may import only workflows/contracts and workflows/lib.',
};

const activitiesOnlyInTheWorker = {
  group: ['**/activities', '**/activities/**', '@temporalio/worker'],
  message: 'Only src/worker wires activities and the Temporal worker.',
};

/** Node's built-in modules, with and without the `node:` prefix. */
const nodeBuiltins = builtinModules.flatMap((name) => [name, `node:${name}`]);

module.exports = tseslint.config(
  { ignores: ['dist/', '.test-build/', 'node_modules/', 'coverage/', '.data/', 'jest.config.js', 'eslint.config.js'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: __dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', ignoreRestSiblings: true }],
      // Nest's decorators and Temporal's proxies are typed loosely; these rules flag them wrongly.
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    // Workflow code is replayed: it must stay deterministic and free of I/O.
    files: ['workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltins.map((name) => ({
            name,
            message: 'Workflows may not use Node built-ins: do I/O in an activity.',
          })),
          patterns: [
            {
              group: [
                'mongoose',
                'mongodb',
                'nodemailer',
                'twilio',
                '@nestjs/*',
                '@temporalio/worker',
                '@temporalio/client',
                '@temporalio/activity',
              ],
              message: 'Workflows may not do I/O: call an activity.',
            },
            {
              group: ['**/src', '**/src/**'],
              message: 'Workflows may not import the app; share types through workflows/contracts.',
            },
            {
              group: ['**/activities', '**/activities/**'],
              allowTypeImports: true,
              message: 'Import activities only as types (`import type`), through proxyActivities.',
            },
          ],
        },
      ],
    },
  },
  {
    // Activities get the app's services through createActivities(deps), never by import.
    files: ['activities/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/src', '**/src/**', '@nestjs/*'],
              message: 'Activities receive app services through deps; do not import src/.',
            },
            {
              regex: '(^|/)workflows(/(?!contracts(/|$))|$)',
              message: 'Activities may import only workflows/contracts.',
            },
          ],
        },
      ],
    },
  },
  {
    // The app reaches workflows only through contracts and pure helpers (the trigger matcher
    // shares the workflow's condition evaluator); only src/worker runs them and their activities.
    files: ['src/**/*.ts'],
    ignores: ['src/worker/**', 'src/temporal/**', 'src/worker.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            workflowsOnlyThroughContracts,
            activitiesOnlyInTheWorker,
            {
              regex: '^\\.{1,2}/(.*/)?worker(/|$)',
              message: 'Features do not import src/worker: the worker depends on them, not the reverse.',
            },
          ],
        },
      ],
    },
  },
  {
    // Temporal plumbing (client, health, runtime), shared by the API and the worker: it knows
    // no feature, so booting either process through it pulls in none.
    files: ['src/temporal/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            workflowsOnlyThroughContracts,
            { group: ['**/activities', '**/activities/**'], message: activitiesOnlyInTheWorker.message },
            {
              regex: '^\\.\\./(?!(config|common)(/|$))',
              message: 'src/temporal is plumbing: it may import only src/config and src/common.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.spec.ts', 'test/**/*.ts'],
    rules: { '@typescript-eslint/unbound-method': 'off' },
  },
);
