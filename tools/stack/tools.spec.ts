import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { installOnce } from './tools';

describe('installOnce', () => {
  let cache: string;
  const log = jest.fn();

  beforeEach(async () => {
    cache = await mkdtemp(join(tmpdir(), 'nudge-cache-'));
    process.env.NUDGE_CACHE_DIR = cache;
    log.mockClear();
  });

  afterEach(async () => {
    delete process.env.NUDGE_CACHE_DIR;
    await rm(cache, { recursive: true, force: true });
  });

  it('installs into <cache>/<name>-<key> once, and reuses it on the next run', async () => {
    const install = jest.fn((dir: string) => writeFile(join(dir, 'tool'), 'binary'));

    const first = await installOnce('tool', '1.2.3', log, install);
    const second = await installOnce('tool', '1.2.3', log, install);

    expect(first).toBe(join(cache, 'tool-1.2.3'));
    expect(second).toBe(first);
    expect(install).toHaveBeenCalledTimes(1);
    expect(existsSync(join(first, 'tool'))).toBe(true);
  });

  it('installs a new version beside the old one', async () => {
    await installOnce('tool', '1.0.0', log, () => Promise.resolve());
    await installOnce('tool', '2.0.0', log, () => Promise.resolve());

    expect((await readdir(cache)).sort()).toEqual(['tool-1.0.0', 'tool-2.0.0']);
  });

  it('wipes and redoes an install that was interrupted, and names the tool when one fails', async () => {
    const failing = () => Promise.reject(new Error('network down'));
    await expect(installOnce('tool', '1.0.0', log, failing)).rejects.toThrow('Installing tool failed: network down');

    const install = jest.fn((dir: string) => writeFile(join(dir, 'tool'), 'binary'));
    await installOnce('tool', '1.0.0', log, install);

    expect(install).toHaveBeenCalledTimes(1);
  });
});
