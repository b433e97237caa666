import { accessSync, constants } from 'node:fs';
import { ensureTools } from '../../tools/stack/tools';

describe('ensureTools on a machine where npm test already installed them', () => {
  it('reuses every tool: installs nothing and returns executables that exist', async () => {
    const log = jest.fn();

    const tools = await ensureTools(log);

    expect(log).not.toHaveBeenCalled();
    for (const path of [tools.temporal, tools.temporalTestServer, tools.ferretdb]) {
      expect(() => accessSync(path, constants.X_OK)).not.toThrow();
    }
    expect(() => accessSync(tools.maildev, constants.R_OK)).not.toThrow();
    expect(tools.temporalTestServer).toBe(process.env.NUDGE_TEST_TEMPORAL_TEST_SERVER);
  });
});
