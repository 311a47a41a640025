import { existsSync } from 'node:fs';
import { loadCheckpoint, type EdmDenoiser } from '@lowdiff/model';
import { CliError } from './cli-error';

/** Loads a checkpoint's model for sampling: EMA weights when the file has them. */
export async function loadModelForSampling(path: string): Promise<{ model: EdmDenoiser; info: unknown; classNames?: string[] }> {
  if (!existsSync(path)) throw new CliError(`--checkpoint: no such file ${path}`);
  try {
    const ckpt = await loadCheckpoint(path, { use: 'ema' }).catch(async (err: Error) => {
      if (/has no EMA weights/.test(err.message)) return loadCheckpoint(path);
      throw err;
    });
    for (const t of ckpt.tensors.values()) t.dispose();
    for (const t of ckpt.ema?.values() ?? []) t.dispose();
    const names = (ckpt.info as { classNames?: unknown } | undefined)?.classNames;
    return { model: ckpt.model, info: ckpt.info, classNames: Array.isArray(names) ? names.map(String) : undefined };
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
