import { ESLint, Linter } from 'eslint';
import { join, resolve } from 'node:path';

/**
 * The dependency direction of STYLE.md, as ESLint enforces it: each case lints a snippet as
 * if it were a file in that folder and expects exactly the named rule to fire (or none).
 */
const repoRoot = resolve(__dirname, '..', '..');
// The config object itself: ESLint would import() the file, which jest cannot on Node 20.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const config = require('../../eslint.config.js') as Linter.Config[];
const eslint = new ESLint({ cwd: repoRoot, overrideConfigFile: true, overrideConfig: config });

async function restrictedImports(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(repoRoot, file) });
  return result.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('import boundaries', () => {
  it.each([
    ["import { readFileSync } from 'node:fs';", /Node built-ins/],
    ["import mongoose from 'mongoose';", /may not do I\/O/],
    ["import { Client } from '@temporalio/client';", /may not do I\/O/],
    ["import { AppModule } from '../../src/app.module';", /may not import the app/],
    ["import { createActivities } from '../../activities';", /only as types/],
  ])('workflows/ refuses %s', async (code, message) => {
    expect(await restrictedImports('workflows/self-check/self-check.workflow.ts', code)).toEqual([
      expect.stringMatching(message),
    ]);
  });

  it('workflows/ may import activity types and contracts', async () => {
    const code =
      "import type { Activities } from '../../activities';\nimport { LeadId } from '../contracts/search-attributes';";
    expect(await restrictedImports('workflows/self-check/self-check.workflow.ts', code)).toEqual([]);
  });

  it.each([
    ["import { selfCheckWorkflow } from '../../workflows';", /only workflows\/contracts/],
    [
      "import { selfCheckWorkflow } from '../../workflows/self-check/self-check.workflow';",
      /only workflows\/contracts/,
    ],
    ["import { createActivities } from '../../activities';", /Only src\/worker/],
    ["import { Worker } from '@temporalio/worker';", /Only src\/worker/],
    ["import { WorkerService } from '../worker/worker.service';", /do not import src\/worker/],
  ])('src/ features refuse %s', async (code, message) => {
    expect(await restrictedImports('src/self-check/self-check.service.ts', code)).toEqual([
      expect.stringMatching(message),
    ]);
  });

  it.each([
    ["import { LeadsService } from '../leads/leads.service';", /plumbing/],
    ["import { createActivities } from '../../activities';", /Only src\/worker/],
    ["import { leadWorkflow } from '../../workflows/lead/lead.workflow';", /only workflows\/contracts/],
  ])('src/temporal refuses %s', async (code, message) => {
    expect(await restrictedImports('src/temporal/temporal.health.ts', code)).toContainEqual(
      expect.stringMatching(message),
    );
  });

  it('src/temporal may import config, common and the Temporal SDK (its runtime is @temporalio/worker)', async () => {
    const code =
      "import { AppConfig } from '../config/config.module';\nimport { AppError } from '../common/app-error';\n" +
      "import { Runtime } from '@temporalio/worker';";
    expect(await restrictedImports('src/temporal/temporal-runtime.ts', code)).toEqual([]);
  });

  it('src/ may import workflow contracts and pure helpers, and src/worker may wire the worker', async () => {
    expect(
      await restrictedImports(
        'src/self-check/self-check.service.ts',
        "import { SELF_CHECK_WORKFLOW } from '../../workflows/contracts/self-check.contract';\n" +
          "import { matchesAll } from '../../workflows/lib/conditions';",
      ),
    ).toEqual([]);
    expect(
      await restrictedImports(
        'src/worker/worker.service.ts',
        "import { Worker } from '@temporalio/worker';\nimport { createActivities } from '../../activities';\n" +
          "import { LeadsService } from '../leads/leads.service';",
      ),
    ).toEqual([]);
  });

  it('activities/ refuse src/ and workflow implementations', async () => {
    const code = "import { AppModule } from '../src/app.module';\nimport { selfCheckWorkflow } from '../workflows';";
    expect(await restrictedImports('activities/self-check.activities.ts', code)).toHaveLength(2);
  });
});
