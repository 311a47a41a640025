import { existsSync, unlinkSync } from 'node:fs';
import { open, readdir, readFile, rm } from 'node:fs/promises';
import { ensureDir } from '@lowdiff/backend';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { CliError } from './cli-error';

/** A run folder held by this process: released on `release()` or when the process exits. */
export interface RunLock {
  path: string;
  release(): Promise<void>;
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
 * Takes `<dir>/train.lock` (pid and host inside), so a second trainer on the same folder is
 * refused instead of racing the first for its checkpoint and log. A lock left by a process that
 * is gone (kill -9, a crash) on this host is taken over; one from another host must be removed
 * by hand. Temp files of checkpoint writes that died half-way are removed once the lock is held.
 */
export async function lockRunFolder(dir: string): Promise<RunLock> {
  await ensureDir(dir);
  const path = join(dir, 'train.lock');
  const mine = JSON.stringify({ pid: process.pid, host: hostname(), started: new Date().toISOString() });
  for (let attempt = 0; ; attempt++) {
    try {
      const fh = await open(path, 'wx');
      await fh.writeFile(mine);
      await fh.close();
      break;
    } catch (err) {
      if ((err as { code?: string }).code !== 'EEXIST' || attempt > 0) throw new CliError(`--out: cannot lock ${path} (${(err as Error).message})`);
      let holder: { pid?: number; host?: string; started?: string } = {};
      try {
        holder = JSON.parse(await readFile(path, 'utf8'));
      } catch {
        // unreadable or half-written: treat as stale
      }
      const sameHost = holder.host === undefined || holder.host === hostname();
      if (typeof holder.pid === 'number' && (!sameHost || alive(holder.pid)))
        throw new CliError(
          `--out: another trainer (pid ${holder.pid}${sameHost ? '' : ` on ${holder.host}`}, started ${holder.started ?? '?'}) is using ${dir}; stop it first${sameHost ? '' : `, or delete ${path} if it is gone`}`,
        );
      await rm(path, { force: true });
    }
  }
  const onExit = () => {
    if (existsSync(path)) unlinkSync(path);
  };
  process.once('exit', onExit);
  for (const name of await readdir(dir)) if (/^train\.safetensors\.tmp-/.test(name)) await rm(join(dir, name), { force: true });
  return {
    path,
    release: async () => {
      process.off('exit', onExit);
      await rm(path, { force: true });
    },
  };
}
