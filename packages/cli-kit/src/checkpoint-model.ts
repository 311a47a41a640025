import { existsSync } from 'node:fs';
import { forSampling, loadCheckpoint, type SamplingModel } from '@lowdiff/model';
import { CliError } from './cli-error';

/** Loads a checkpoint's model for sampling: EMA weights when the file has them. */
export async function loadModelForSampling(path: string): Promise<SamplingModel> {
  if (!existsSync(path)) throw new CliError(`--checkpoint: no such file ${path}`);
  try {
    return forSampling(await loadCheckpoint(path, { use: 'prefer-ema' }));
  } catch (err) {
    throw new CliError(`--checkpoint: ${(err as Error).message}`);
  }
}

/** Labels for `count` samples from --class: a number, a class name, or 'all' (cycling). */
export function classLabels(spec: string | undefined, count: number, numClasses: number, classNames?: readonly string[]): number[] | undefined {
  if (numClasses === 0) {
    if (spec !== undefined && spec !== 'all') throw new CliError('--class: the model is unconditional');
    return undefined;
  }
  if (spec === undefined || spec === 'all') return Array.from({ length: count }, (_, i) => i % numClasses);
  const byName = classNames?.findIndex((n) => n.toLowerCase() === spec.toLowerCase()) ?? -1;
  const k = byName >= 0 ? byName : Number(spec);
  if (!Number.isInteger(k) || k < 0 || k >= numClasses)
    throw new CliError(`--class: '${spec}' is not a class (0..${numClasses - 1}${classNames ? `, or a name: ${classNames.join(', ')}` : ''}, or 'all')`);
  return Array.from({ length: count }, () => k);
}
