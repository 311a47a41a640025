import { existsSync, readFileSync, unlinkSync } from 'node:fs';
import { link, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { ensureDir } from '@lowdiff/backend';
import { CliError } from './cli-error';

/** A run folder held by this process: released on `release()` or when the process exits. */
export interface RunLock {
  path: string;
  release(): Promise<void>;
}

interface Holder {
  pid?: number;
  host?: string;
  started?: string;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as { code?: string }).code === 'EPERM';
  }
}

/**
 * Takes `<dir>/train.lock` (pid, host and start time inside), so a second trainer on the same
 * folder is refused instead of racing the first for its checkpoint and log. The lock appears
 * whole (written beside it, then hard-linked into place, which fails if it exists); a lock whose
 * process is gone on this host (kill -9, a crash, a restarted container reusing the pid) is
 * taken over by renaming it away, which only one contender can do. One from another host must
 * be removed by hand. Temp files of writes that died half-way are removed once the lock is held.
 */
export async function lockRunFolder(dir: string): Promise<RunLock> {
  await ensureDir(dir);
  const path = join(dir, 'train.lock');
  const mine = JSON.stringify({ pid: process.pid, host: hostname(), started: new Date().toISOString() } satisfies Holder);
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, mine);
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        await link(tmp, path);
        break;
      } catch (err) {
        if ((err as { code?: string }).code !== 'EEXIST' || attempt > 2) throw new CliError(`--out: cannot lock ${path} (${(err as Error).message})`);
      }
      let holder: Holder = {};
      try {
        holder = JSON.parse(await readFile(path, 'utf8'));
      } catch {
        // gone or unreadable by now: try again
      }
      const sameHost = holder.host === undefined || holder.host === hostname();
      if (typeof holder.pid === 'number' && holder.pid !== process.pid && (!sameHost || alive(holder.pid)))
        throw new CliError(
          `--out: another trainer (pid ${holder.pid}${sameHost ? '' : ` on ${holder.host}`}, started ${holder.started ?? '?'}) is using ${dir}; stop it first${sameHost ? '' : `, or delete ${path} if it is gone`}`,
        );
      // Stale: move it aside (atomic; a second contender's rename then fails and it retries).
      await rename(path, `${path}.stale-${process.pid}`).catch(() => {});
      await rm(`${path}.stale-${process.pid}`, { force: true });
    }
  } finally {
    await rm(tmp, { force: true });
  }
  const ours = () => {
    try {
      return readFileSync(path, 'utf8') === mine;
    } catch {
      return false;
    }
  };
  const onExit = () => {
    if (existsSync(path) && ours()) unlinkSync(path);
  };
  process.once('exit', onExit);
  for (const name of await readdir(dir)) if (/^train\.(safetensors|jsonl)\.tmp-/.test(name)) await rm(join(dir, name), { force: true });
  return {
    path,
    release: async () => {
      process.off('exit', onExit);
      if (ours()) await rm(path, { force: true });
    },
  };
}

/** Runs `work` holding the run folder's lock (see {@link lockRunFolder}), released afterwards. */
export async function withRunLock<T>(dir: string, work: () => Promise<T>): Promise<T> {
  const lock = await lockRunFolder(dir);
  try {
    return await work();
  } finally {
    await lock.release();
  }
}
