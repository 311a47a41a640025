import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '@lowdiff/backend';

/**
 * Makes a run's JSONL log agree with its checkpoint before appending: keeps the whole lines of
 * steps up to `step` and drops the rest - a line torn by a crash or a full disk, steps logged
 * after the last checkpoint (they will be trained again), or a stale log of an earlier run in
 * the folder (a fresh run is at step 0). Rewrites the file atomically, only if something goes.
 */
export async function repairLog(path: string, step: number): Promise<{ kept: number; dropped: number }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as { code?: string }).code === 'ENOENT') return { kept: 0, dropped: 0 };
    throw err;
  }
  const lines = text.split('\n').filter((l) => l.length > 0);
  const kept = lines.filter((line) => {
    try {
      const entry = JSON.parse(line) as { step?: unknown };
      return Number.isInteger(entry?.step) && (entry.step as number) <= step;
    } catch {
      return false;
    }
  });
  const dropped = lines.length - kept.length;
  if (dropped > 0 || (text.length > 0 && !text.endsWith('\n'))) await writeFileAtomic(path, new TextEncoder().encode(kept.map((l) => `${l}\n`).join('')));
  return { kept: kept.length, dropped };
}
