import { ExtractorMismatchError, MetricsError } from './errors';
import { assertFinite, type FeatureMatrix } from './feature-matrix';

/** Rows per chunk in {@link FeatureStats.add}; bounds the transposed copy to `dim * 512` doubles. */
const ADD_CHUNK_ROWS = 512;

/** Exact moments of a Gaussian (or of any set), for {@link FeatureStats.fromMoments}. */
export interface FeatureMoments {
  extractor: string;
  /** Length-d mean. */
  mean: ArrayLike<number>;
  /** d x d covariance, row-major, with the unbiased (n - 1) normalisation. */
  covariance: ArrayLike<number>;
  /** Number of samples the moments stand for (>= 2). */
  count: number;
}

/**
 * Streaming first and second moments of feature vectors, in float64.
 *
 * It keeps raw sums - `count`, `sum` (d) and `sumOuter` (d x d, the sum of x xᵀ) - rather than
 * a running mean and covariance, because raw sums add: the statistics of shards computed on
 * different machines merge ({@link mergeStats}) into those of the union, up to float64 rounding.
 * The mean and the unbiased covariance are derived on demand. (Raw sums lose precision only when
 * |mean|² dwarfs the variance by ~1e10; network features are nowhere near that.)
 */
export class FeatureStats {
  /** Name of the extractor that produced the features; merging or comparing other names is refused. */
  readonly extractor: string;
  readonly featureDim: number;
  /** Number of feature vectors added. */
  count = 0;
  /** Sum of the vectors, length d. */
  readonly sum: Float64Array;
  /** Sum of outer products x xᵀ, d x d row-major, kept exactly symmetric. */
  readonly sumOuter: Float64Array;

  constructor(extractor: string, featureDim: number) {
    if (extractor.length === 0) throw new MetricsError('FeatureStats: extractor name must not be empty');
    if (!Number.isInteger(featureDim) || featureDim < 1) {
      throw new MetricsError(`FeatureStats: featureDim must be an integer >= 1, got ${featureDim}`);
    }
    this.extractor = extractor;
    this.featureDim = featureDim;
    this.sum = new Float64Array(featureDim);
    this.sumOuter = new Float64Array(featureDim * featureDim);
  }

  /**
   * Statistics that reproduce given moments exactly: sum = n mu, sumOuter = (n - 1) C + n mu muᵀ.
   * For testing against closed forms, and for reference statistics published as mean/covariance.
   */
  static fromMoments(moments: FeatureMoments): FeatureStats {
    const d = moments.mean.length;
    const n = moments.count;
    if (moments.covariance.length !== d * d) {
      throw new MetricsError(`FeatureStats.fromMoments: covariance has ${moments.covariance.length} values, expected ${d}x${d}`);
    }
    if (!Number.isInteger(n) || n < 2) throw new MetricsError(`FeatureStats.fromMoments: count must be an integer >= 2, got ${n}`);
    assertFinite(moments.mean, 'FeatureStats.fromMoments: mean');
    assertFinite(moments.covariance, 'FeatureStats.fromMoments: covariance');
    const stats = new FeatureStats(moments.extractor, d);
    stats.count = n;
    for (let i = 0; i < d; i++) stats.sum[i] = n * moments.mean[i];
    for (let i = 0; i < d; i++) {
      for (let j = 0; j < d; j++) {
        // Symmetrise so that a covariance given with rounding asymmetry still yields symmetric sums.
        const c = 0.5 * (moments.covariance[i * d + j] + moments.covariance[j * d + i]);
        stats.sumOuter[i * d + j] = (n - 1) * c + n * moments.mean[i] * moments.mean[j];
      }
    }
    return stats;
  }

  /** Statistics from stored sums (as read from a statistics file); the arrays are copied. */
  static fromSums(extractor: string, count: number, sum: Float64Array, sumOuter: Float64Array): FeatureStats {
    const d = sum.length;
    if (sumOuter.length !== d * d) throw new MetricsError(`FeatureStats.fromSums: sumOuter has ${sumOuter.length} values, expected ${d}x${d}`);
    if (!Number.isInteger(count) || count < 0) throw new MetricsError(`FeatureStats.fromSums: count must be an integer >= 0, got ${count}`);
    const stats = new FeatureStats(extractor, d);
    stats.count = count;
    stats.sum.set(sum);
    stats.sumOuter.set(sumOuter);
    return stats;
  }

  /**
   * Adds a batch of feature vectors: a row-major array of `rows * featureDim` values, or a
   * {@link FeatureMatrix} (whose extractor must match).
   *
   * @throws {@link MetricsError} on a length that is not a whole number of rows, or a NaN/infinity
   * @throws {@link ExtractorMismatchError} for a FeatureMatrix of another extractor or dim
   */
  add(batch: Float32Array | Float64Array | FeatureMatrix): this {
    let data: Float32Array | Float64Array;
    if (batch instanceof Float32Array || batch instanceof Float64Array) {
      data = batch;
    } else {
      if (batch.extractor !== this.extractor || batch.dim !== this.featureDim) {
        throw new ExtractorMismatchError(
          `FeatureStats.add: statistics of '${this.extractor}' (dim ${this.featureDim}) cannot take features of ` +
            `'${batch.extractor}' (dim ${batch.dim})`,
        );
      }
      data = batch.data;
    }
    const d = this.featureDim;
    if (data.length % d !== 0) {
      throw new MetricsError(`FeatureStats.add: ${data.length} values are not a whole number of rows of ${d}`);
    }
    assertFinite(data, `FeatureStats.add (${this.extractor})`);
    const rows = data.length / d;
    for (let start = 0; start < rows; start += ADD_CHUNK_ROWS) {
      this.addChunk(data, start, Math.min(rows, start + ADD_CHUNK_ROWS));
    }
    return this;
  }

  // Transposing the chunk makes each entry of sumOuter one contiguous dot product over the
  // chunk's rows, which is far faster in JS than rank-1 updates of the whole d x d matrix.
  private addChunk(data: Float32Array | Float64Array, start: number, end: number): void {
    const d = this.featureDim;
    const n = end - start;
    const cols = new Float64Array(d * n);
    for (let r = 0; r < n; r++) {
      const base = (start + r) * d;
      for (let i = 0; i < d; i++) {
        const v = data[base + i];
        cols[i * n + r] = v;
        this.sum[i] += v;
      }
    }
    const s = this.sumOuter;
    for (let i = 0; i < d; i++) {
      const oi = i * n;
      let j = i;
      // Four dot products per pass share the loads of column i.
      for (; j + 3 < d; j += 4) {
        const o0 = j * n;
        const o1 = o0 + n;
        const o2 = o1 + n;
        const o3 = o2 + n;
        let acc0 = 0;
        let acc1 = 0;
        let acc2 = 0;
        let acc3 = 0;
        for (let r = 0; r < n; r++) {
          const x = cols[oi + r];
          acc0 += x * cols[o0 + r];
          acc1 += x * cols[o1 + r];
          acc2 += x * cols[o2 + r];
          acc3 += x * cols[o3 + r];
        }
        s[i * d + j] += acc0;
        s[i * d + j + 1] += acc1;
        s[i * d + j + 2] += acc2;
        s[i * d + j + 3] += acc3;
      }
      for (; j < d; j++) {
        const oj = j * n;
        let acc = 0;
        for (let r = 0; r < n; r++) acc += cols[oi + r] * cols[oj + r];
        s[i * d + j] += acc;
      }
    }
    for (let i = 0; i < d; i++) for (let j = i + 1; j < d; j++) s[j * d + i] = s[i * d + j];
    this.count += n;
  }

  /** Mean vector (length d). @throws {@link MetricsError} when empty */
  mean(): Float64Array {
    if (this.count < 1) throw new MetricsError(`FeatureStats (${this.extractor}): no samples, the mean is undefined`);
    return this.sum.map((v) => v / this.count);
  }

  /**
   * Unbiased covariance (normalised by n - 1, like `numpy.cov`), d x d row-major.
   *
   * @throws {@link MetricsError} with fewer than 2 samples
   */
  covariance(): Float64Array {
    const n = this.count;
    if (n < 2) throw new MetricsError(`FeatureStats (${this.extractor}): ${n} sample(s), the covariance needs at least 2`);
    const d = this.featureDim;
    const out = new Float64Array(d * d);
    for (let i = 0; i < d; i++) {
      for (let j = i; j < d; j++) {
        const c = (this.sumOuter[i * d + j] - (this.sum[i] * this.sum[j]) / n) / (n - 1);
        out[i * d + j] = c;
        out[j * d + i] = c;
      }
    }
    return out;
  }

  clone(): FeatureStats {
    return FeatureStats.fromSums(this.extractor, this.count, this.sum, this.sumOuter);
  }
}

/**
 * Statistics of the union of disjoint shards: counts and sums add.
 *
 * @throws {@link ExtractorMismatchError} when the shards' extractors or dims differ
 */
export function mergeStats(a: FeatureStats, b: FeatureStats, ...more: FeatureStats[]): FeatureStats {
  const out = a.clone();
  for (const s of [b, ...more]) {
    if (s.extractor !== out.extractor || s.featureDim !== out.featureDim) {
      throw new ExtractorMismatchError(
        `mergeStats: cannot merge statistics of '${s.extractor}' (dim ${s.featureDim}) into '${out.extractor}' (dim ${out.featureDim})`,
      );
    }
    out.count += s.count;
    for (let i = 0; i < out.sum.length; i++) out.sum[i] += s.sum[i];
    for (let i = 0; i < out.sumOuter.length; i++) out.sumOuter[i] += s.sumOuter[i];
  }
  return out;
}
