import { Rng } from '@lowdiff/backend';
import { z } from 'zod';
import { MetricsError, parseOptions } from './errors';
import { assertComparable, type FeatureMatrix } from './feature-matrix';
import type { MetricScore } from './metric-score';
import { forEachProductBlock, ProductPrecisionSchema, type ProductPrecision } from './pairwise';

/** Options of {@link kid}; defaults are clean-fid's and torch-fidelity's. */
export const KidOptionsSchema = z.object({
  /** Number of random subsets the MMD is averaged over. */
  subsets: z.number().int('must be an integer').min(1, 'must be >= 1').default(100),
  /** Samples per subset and set; capped at the smaller set's size. */
  subsetSize: z.number().int('must be an integer').min(2, 'must be >= 2').default(1000),
  /** Seed of the subset draws (through `Rng` from @lowdiff/backend). */
  seed: z.number().int('must be an integer').default(0),
  precision: ProductPrecisionSchema.default('float32'),
});
export type KidOptions = z.input<typeof KidOptionsSchema>;

/** The two feature sets KID compares (it is symmetric; the names decide which count is `count`). */
export interface FeaturePair {
  real: FeatureMatrix;
  generated: FeatureMatrix;
}

/**
 * Kernel Inception Distance (Bińkowski et al. 2018): the unbiased estimate of the squared MMD with
 * the cubic polynomial kernel k(x, y) = (xᵀy / d + 1)³, averaged over `subsets` random subsets of
 * `m = min(subsetSize, |real|, |generated|)` samples drawn without replacement from each set:
 *
 *   MMD²ᵤ = Σ_{i≠j} k(xᵢ,xⱼ) / (m(m-1)) + Σ_{i≠j} k(yᵢ,yⱼ) / (m(m-1)) - 2 Σ_{i,j} k(xᵢ,yⱼ) / m²
 *
 * `value` is the mean over subsets and `std` their population standard deviation (ddof 0), as in
 * torch-fidelity; clean-fid reports the same mean. Unlike FID it is unbiased, so it may be
 * slightly negative for two samples of one distribution.
 *
 * @throws {@link ExtractorMismatchError} for features of different extractors
 * @throws {@link MetricsParamError} naming a bad option
 */
export function kid({ real, generated }: FeaturePair, options: KidOptions = {}): MetricScore {
  const opts = parseOptions(KidOptionsSchema, options, 'KidOptions');
  assertComparable(generated, real, 'kid');
  const m = Math.min(opts.subsetSize, real.rows, generated.rows);
  if (m < 2) throw new MetricsError(`kid: each set needs at least 2 samples, got ${generated.rows} generated and ${real.rows} real`);
  const warnings: string[] = [];
  if (m < opts.subsetSize) {
    warnings.push(`subsets hold ${m} samples (the smaller set's size), fewer than subsetSize ${opts.subsetSize}`);
  }
  const rng = new Rng(opts.seed);
  const permGenerated = identity(generated.rows);
  const permReal = identity(real.rows);
  const values: number[] = [];
  for (let s = 0; s < opts.subsets; s++) {
    const x = takeRows(generated, drawSubset(rng, permGenerated, m));
    const y = takeRows(real, drawSubset(rng, permReal, m));
    values.push(mmdUnbiased(x, y, opts.precision));
  }
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const std = Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / values.length);
  return { name: 'kid', value: mean, std, extractor: real.extractor, count: generated.rows, referenceCount: real.rows, warnings };
}

/**
 * Unbiased squared MMD between two whole sets with KID's cubic kernel (no subsets). The sets may
 * differ in size: the cross term is averaged over all |x| |y| pairs.
 */
export function mmdUnbiased(x: FeatureMatrix, y: FeatureMatrix, precision: ProductPrecision = 'float32'): number {
  assertComparable(x, y, 'mmdUnbiased');
  if (x.rows < 2 || y.rows < 2) throw new MetricsError('mmdUnbiased: each set needs at least 2 samples');
  const d = x.dim;
  const kxx = kernelSum(x, x, d, precision, true);
  const kyy = kernelSum(y, y, d, precision, true);
  const kxy = kernelSum(x, y, d, precision, false);
  return kxx / (x.rows * (x.rows - 1)) + kyy / (y.rows * (y.rows - 1)) - (2 * kxy) / (x.rows * y.rows);
}

function kernelSum(a: FeatureMatrix, b: FeatureMatrix, d: number, precision: ProductPrecision, skipDiagonal: boolean): number {
  let total = 0;
  forEachProductBlock(a, b, precision, (start, rows, block) => {
    for (let r = 0; r < rows; r++) {
      const base = r * b.rows;
      for (let j = 0; j < b.rows; j++) {
        if (skipDiagonal && j === start + r) continue;
        const k = block[base + j] / d + 1;
        total += k * k * k;
      }
    }
  });
  return total;
}

function identity(n: number): Int32Array {
  return Int32Array.from({ length: n }, (_, i) => i);
}

// Partial Fisher-Yates over a persistent permutation: m distinct indices, uniformly drawn.
function drawSubset(rng: Rng, perm: Int32Array, m: number): Int32Array {
  const n = perm.length;
  for (let i = 0; i < m; i++) {
    const j = i + rng.int(n - i);
    const t = perm[i];
    perm[i] = perm[j];
    perm[j] = t;
  }
  return perm.slice(0, m);
}

function takeRows(src: FeatureMatrix, indices: Int32Array): FeatureMatrix {
  const out = src.data instanceof Float64Array ? new Float64Array(indices.length * src.dim) : new Float32Array(indices.length * src.dim);
  indices.forEach((idx, r) => out.set(src.data.subarray(idx * src.dim, (idx + 1) * src.dim), r * src.dim));
  return { extractor: src.extractor, rows: indices.length, dim: src.dim, data: out };
}
