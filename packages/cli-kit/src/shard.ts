import { CliError } from './cli-error';

/** Shard `index` of `count`: a contiguous block of the sample indices. */
export interface Shard {
  index: number;
  count: number;
}

/**
 * The shard this process runs: `--shard i/n`, else a Kubernetes Indexed Job's
 * JOB_COMPLETION_INDEX with LOWDIFF_SHARDS, else a Slurm job array's SLURM_ARRAY_TASK_ID
 * (minus SLURM_ARRAY_TASK_MIN) of SLURM_ARRAY_TASK_COUNT; null when none is set.
 */
export function resolveShard(flag: string | undefined, env: Record<string, string | undefined> = process.env): Shard | null {
  const make = (index: number, count: number, from: string): Shard => {
    if (!Number.isInteger(count) || count < 1) throw new CliError(`${from}: the shard count must be an integer >= 1, got ${count}`);
    if (!Number.isInteger(index) || index < 0 || index >= count) throw new CliError(`${from}: the shard index must be an integer in 0..${count - 1}, got ${index}`);
    return { index, count };
  };
  if (flag !== undefined) {
    const m = /^(\d+)\/(\d+)$/.exec(flag.trim());
    if (!m) throw new CliError(`--shard: expected i/n (e.g. 0/4), got '${flag}'`);
    return make(Number(m[1]), Number(m[2]), '--shard');
  }
  if (env.JOB_COMPLETION_INDEX !== undefined) {
    if (env.LOWDIFF_SHARDS === undefined) throw new CliError('JOB_COMPLETION_INDEX is set (a Kubernetes Indexed Job) but LOWDIFF_SHARDS is not: set it to the Job\'s completions');
    return make(Number(env.JOB_COMPLETION_INDEX), Number(env.LOWDIFF_SHARDS), 'JOB_COMPLETION_INDEX/LOWDIFF_SHARDS');
  }
  if (env.SLURM_ARRAY_TASK_ID !== undefined && env.SLURM_ARRAY_TASK_COUNT !== undefined)
    return make(Number(env.SLURM_ARRAY_TASK_ID) - Number(env.SLURM_ARRAY_TASK_MIN ?? 0), Number(env.SLURM_ARRAY_TASK_COUNT), 'SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_COUNT');
  return null;
}

/** The sample indices [start, end) of a shard of `total` samples: contiguous, sizes differing by at most one. */
export function shardRange(total: number, s: Shard): { start: number; end: number } {
  return { start: Math.floor((s.index * total) / s.count), end: Math.floor(((s.index + 1) * total) / s.count) };
}

/** The folder a shard writes under --shard-out. */
export const shardFolder = (s: Shard): string => `shard-${String(s.index).padStart(4, '0')}-of-${String(s.count).padStart(4, '0')}`;
