import { assertComparable } from './feature-matrix';
import type { FeatureStats } from './feature-stats';
import { frechetDistance } from './frechet-distance';
import type { MetricScore } from './metric-score';

/** The two sets an FID compares. FID is symmetric; the names only decide which count is `count`. */
export interface FidInput {
  real: FeatureStats;
  generated: FeatureStats;
}

/**
 * Fréchet distance between the Gaussians fitted to two feature sets (Heusel et al. 2017), from
 * their statistics; see {@link frechetDistance} for the matrix square root.
 *
 * With fewer samples than feature dimensions the covariance is singular and FID is strongly biased
 * upward; the score then carries a warning (it is returned, not printed).
 *
 * @throws {@link ExtractorMismatchError} when the statistics come from different extractors or dims
 * @throws {@link MetricsError} when a side has fewer than 2 samples
 */
export function fid({ real, generated }: FidInput): MetricScore {
  assertComparable(
    { extractor: generated.extractor, dim: generated.featureDim },
    { extractor: real.extractor, dim: real.featureDim },
    'fid',
  );
  const warnings: string[] = [];
  for (const [stats, side] of [[generated, 'generated'], [real, 'real']] as const) {
    if (stats.count < stats.featureDim) {
      warnings.push(
        `${side} statistics hold ${stats.count} samples, fewer than the feature dimension ${stats.featureDim}: ` +
          'the covariance is singular and FID is biased upward; use many more samples than dimensions',
      );
    }
  }
  const result = frechetDistance(generated.mean(), generated.covariance(), real.mean(), real.covariance());
  return {
    name: 'fid',
    value: result.value,
    extractor: real.extractor,
    count: generated.count,
    referenceCount: real.count,
    warnings: [...warnings, ...result.warnings],
  };
}
