import { mkdir, stat } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * `mkdir -p` that ends: Node's `mkdir(dir, { recursive: true })` spins forever where the parent
 * exists but refuses new entries with ENOENT (e.g. under /proc). This creates one level at a
 * time and reports the first level that cannot be made.
 */
export async function ensureDir(dir: string): Promise<void> {
  try {
    await mkdir(dir);
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'EEXIST') {
      if (!(await stat(dir)).isDirectory()) throw new Error(`${dir} exists and is not a directory`);
      return;
    }
    if (code !== 'ENOENT' || dirname(dir) === dir) throw new Error(`cannot create directory ${dir} (${(err as Error).message})`);
    await ensureDir(dirname(dir));
    try {
      await mkdir(dir);
    } catch (again) {
      if ((again as { code?: string }).code !== 'EEXIST') throw new Error(`cannot create directory ${dir} (${(again as Error).message})`);
    }
  }
}
