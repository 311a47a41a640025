import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensureDir, writeFileAtomic } from '../src';

describe('ensureDir', () => {
  it('makes missing levels, accepts an existing directory, refuses a file in the way', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ensure-dir-'));
    try {
      await ensureDir(join(dir, 'a', 'b', 'c'));
      expect((await stat(join(dir, 'a', 'b', 'c'))).isDirectory()).toBe(true);
      await ensureDir(join(dir, 'a', 'b'));
      await writeFile(join(dir, 'file'), 'x');
      await expect(ensureDir(join(dir, 'file'))).rejects.toThrow(/exists and is not a directory/);
      await expect(ensureDir(join(dir, 'file', 'sub'))).rejects.toThrow(/cannot create directory/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('ends with an error under /proc, where recursive mkdir spins forever', async () => {
    await expect(ensureDir('/proc/lowdiff-no-such/out')).rejects.toThrow(/cannot create directory \/proc\/lowdiff-no-such/);
    await expect(writeFileAtomic('/proc/lowdiff-no-such/x.bin', new Uint8Array(1))).rejects.toThrow(/cannot create directory/);
  });
});
