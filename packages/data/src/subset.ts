import { Rng } from '@lowdiff/backend';

/**
 * The indices `limit` keeps out of `count`: the first `limit` entries of `new Rng(seed)`'s
 * permutation of 0..count-1, sorted ascending so the data set's order (and class grouping) is
 * kept. Deterministic in (count, limit, seed), and nested: a smaller limit keeps a subset of a
 * larger one's indices.
 */
export function limitIndices(count: number, limit: number, seed: number): Int32Array {
  if (limit >= count) return Int32Array.from({ length: count }, (_, i) => i);
  return new Rng(seed).permutation(count).slice(0, limit).sort();
}
