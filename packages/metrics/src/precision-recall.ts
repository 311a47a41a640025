import { z } from 'zod';
import { MetricsError, parseOptions } from './errors';
import { assertComparable, type FeatureMatrix } from './feature-matrix';
import type { FeaturePair } from './kid';
import type { MetricScore } from './metric-score';
import { forEachProductBlock, ProductPrecisionSchema, squaredNorms, type ProductPrecision } from './pairwise';

/** Options of {@link precisionRecall}. */
export const PrecisionRecallOptionsSchema = z.object({
  /** Neighbourhood size: a sample's radius is the distance to its k-th nearest other sample (paper default 3). */
  k: z.number().int('must be an integer').min(1, 'must be >= 1').default(3),
  precision: ProductPrecisionSchema.default('float32'),
});
export type PrecisionRecallOptions = z.input<typeof PrecisionRecallOptionsSchema>;

/** Both halves of {@link precisionRecall}. */
export interface PrecisionRecallResult {
  precision: MetricScore;
  recall: MetricScore;
}

/**
 * Improved precision and recall (Kynkäänniemi et al. 2019). Each set's manifold is the union of
 * balls around its samples, each ball reaching the sample's k-th nearest neighbour in its own set.
 * Precision is the share of generated samples inside the real manifold; recall the share of real
 * samples inside the generated manifold. A point on a ball's boundary counts as inside.
 *
 * Distances come from |a|² + |b|² - 2 aᵀb with the products computed per `precision` and the rest
 * in float64; all three distance matrices (real-real, generated-generated, real-generated) are
 * streamed in row blocks, never held whole.
 *
 * @throws {@link ExtractorMismatchError} for features of different extractors
 * @throws {@link MetricsError} when a set has k samples or fewer
 */
export function precisionRecall({ real, generated }: FeaturePair, options: PrecisionRecallOptions = {}): PrecisionRecallResult {
  const opts = parseOptions(PrecisionRecallOptionsSchema, options, 'PrecisionRecallOptions');
  assertComparable(generated, real, 'precisionRecall');
  for (const [set, side] of [[real, 'real'], [generated, 'generated']] as const) {
    if (set.rows <= opts.k) throw new MetricsError(`precisionRecall: ${side} set has ${set.rows} samples, needs more than k = ${opts.k}`);
  }
  const realNorms = squaredNorms(real);
  const genNorms = squaredNorms(generated);
  const realRadii = knnRadii2(real, realNorms, opts.k, opts.precision);
  const genRadii = knnRadii2(generated, genNorms, opts.k, opts.precision);

  const realCovered = new Uint8Array(real.rows);
  const genCovered = new Uint8Array(generated.rows);
  forEachProductBlock(real, generated, opts.precision, (start, rows, block) => {
    for (let r = 0; r < rows; r++) {
      const i = start + r;
      for (let j = 0; j < generated.rows; j++) {
        const d2 = Math.max(realNorms[i] + genNorms[j] - 2 * block[r * generated.rows + j], 0);
        if (d2 <= realRadii[i]) genCovered[j] = 1;
        if (d2 <= genRadii[j]) realCovered[i] = 1;
      }
    }
  });
  const share = (flags: Uint8Array) => flags.reduce((a, f) => a + f, 0) / flags.length;
  const base = { extractor: real.extractor, count: generated.rows, referenceCount: real.rows };
  return {
    precision: { name: 'precision', value: share(genCovered), ...base, warnings: [] },
    recall: { name: 'recall', value: share(realCovered), ...base, warnings: [] },
  };
}

/**
 * Squared distance from each sample to its k-th nearest neighbour within the set: the
 * (k+1)-th smallest entry of its distance row, the sample itself being the first.
 */
export function knnRadii2(m: FeatureMatrix, norms2: Float64Array, k: number, precision: ProductPrecision): Float64Array {
  const radii = new Float64Array(m.rows);
  const best = new Float64Array(k + 1);
  forEachProductBlock(m, m, precision, (start, rows, block) => {
    for (let r = 0; r < rows; r++) {
      const i = start + r;
      best.fill(Infinity);
      for (let j = 0; j < m.rows; j++) {
        // The diagonal is 0 by definition; float32 products would leave rounding noise there.
        const d2 = j === i ? 0 : Math.max(norms2[i] + norms2[j] - 2 * block[r * m.rows + j], 0);
        if (d2 < best[k]) insertSorted(best, d2);
      }
      radii[i] = best[k];
    }
  });
  return radii;
}

function insertSorted(best: Float64Array, v: number): void {
  let p = best.length - 1;
  while (p > 0 && best[p - 1] > v) {
    best[p] = best[p - 1];
    p--;
  }
  best[p] = v;
}
