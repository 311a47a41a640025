import { Rng } from '@lowdiff/backend';
import { DataConfigError } from './parse-config';

/**
 * The order of epoch `epoch`: `Rng.derive(seed, epoch).permutation(count)`. It depends only on
 * (count, seed, epoch), never on the batch size, so batches are consecutive slices of it and any
 * epoch can be recomputed on resume without replaying the ones before.
 */
export function epochPermutation(count: number, seed: number, epoch: number): Int32Array {
  return Rng.derive(seed, epoch).permutation(count);
}

/**
 * Batches per epoch: ceil(count / batchSize), or floor(...) when the short last batch is dropped.
 * @throws {@link DataConfigError} when that is zero
 */
export function stepsPerEpoch(count: number, batchSize: number, dropLast: boolean): number {
  const steps = dropLast ? Math.floor(count / batchSize) : Math.ceil(count / batchSize);
  if (steps === 0) {
    throw new DataConfigError(
      `no batches: ${count} images make no ${dropLast ? 'full ' : ''}batch of ${batchSize}${dropLast ? ' (dropLast is on)' : ''}; use a batch size of at most ${count} (--batch-size ${count})`,
    );
  }
  return steps;
}
