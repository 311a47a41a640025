import { open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ensureDir } from './ensure-dir';

/**
 * Writes atomically: to a temporary file beside `path`, flushed to disk, then renamed over it,
 * so a crash or a full disk never leaves a half-written file where a good one was.
 */
export async function writeFileAtomic(path: string, bytes: Uint8Array): Promise<void> {
  await ensureDir(dirname(path));
  const tmp = `${path}.tmp-${process.pid}-${Date.now()}`;
  try {
    const fh = await open(tmp, 'w');
    try {
      await fh.writeFile(bytes);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}
