// @ts-check
// CommonJS, not .mjs: test/lint requires this file, and jest cannot import() ESM on Node 20.
const eslint = require('@eslint/js');
const { builtinModules } = require('node:module');
const tseslint = require('typescript-eslint');

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
    // shares the workflow's condition evaluator); only src/temporal runs them.
    files: ['src/**/*.ts'],
    ignores: ['src/temporal/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '(^|/)workflows(/(?!(contracts|lib)(/|$))|$)',
              message: 'src/ may import only workflows/contracts and workflows/lib.',
            },
            {
              group: ['**/activities', '**/activities/**', '@temporalio/worker'],
              message: 'Only src/temporal wires activities and the worker.',
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
