/** Names of the scores this package computes. */
export type MetricName =
  | 'fid'
  | 'kid'
  | 'is'
  | 'precision'
  | 'recall'
  | 'conditional-accuracy'
  | 'low-res-psnr';

/**
 * One score, always tagged with the feature extractor it was computed with, so that an FID over
 * a small in-repo classifier is never mistaken for a paper's Inception-v3 FID.
 */
export interface MetricScore {
  name: MetricName;
  value: number;
  /** Standard deviation over subsets or splits (population, ddof = 0), where the metric has them. */
  std?: number;
  /** Extractor name, or `pixels` for scores computed on images directly. */
  extractor: string;
  /** Number of evaluated (generated) samples. */
  count: number;
  /** Number of reference (real) samples, for metrics that compare two sets. */
  referenceCount?: number;
  /** Caveats about this value (too few samples, clamped eigenvalues, ...); never printed by the library. */
  warnings: string[];
}

/** One-line rendering, e.g. `fid[classifier-fmnist, n=10000 vs 60000] = 12.3456`. */
export function formatScore(score: MetricScore, digits = 4): string {
  const n = score.referenceCount === undefined ? `n=${score.count}` : `n=${score.count} vs ${score.referenceCount}`;
  const std = score.std === undefined ? '' : ` ± ${score.std.toFixed(digits)}`;
  return `${score.name}[${score.extractor}, ${n}] = ${score.value.toFixed(digits)}${std}`;
}
