import { ExtractorMismatchError, MetricsError } from './errors';

/**
 * A block of feature vectors (or logits) in row-major order: `rows` vectors of length `dim`,
 * tagged with the extractor that produced them so that sets from different networks are never
 * compared.
 */
export interface FeatureMatrix {
  readonly extractor: string;
  readonly rows: number;
  readonly dim: number;
  /** `rows * dim` values, row-major. */
  readonly data: Float32Array | Float64Array;
}

/**
 * Wraps a row-major array as a {@link FeatureMatrix}, checking that its length is a multiple of `dim`.
 *
 * @throws {@link MetricsError} when the shape does not fit or a value is not finite
 */
export function featureMatrix(extractor: string, data: Float32Array | Float64Array, dim: number): FeatureMatrix {
  if (extractor.length === 0) throw new MetricsError('featureMatrix: extractor name must not be empty');
  if (!Number.isInteger(dim) || dim < 1) throw new MetricsError(`featureMatrix: dim must be an integer >= 1, got ${dim}`);
  if (data.length % dim !== 0) {
    throw new MetricsError(`featureMatrix: ${data.length} values are not a whole number of rows of ${dim}`);
  }
  assertFinite(data, `features of ${extractor}`);
  return { extractor, rows: data.length / dim, dim, data };
}

/** Row `i` as a view (no copy). */
export function row(m: FeatureMatrix, i: number): Float32Array | Float64Array {
  return m.data.subarray(i * m.dim, (i + 1) * m.dim);
}

/**
 * @throws {@link ExtractorMismatchError} when the two sets come from different extractors or dims
 */
export function assertComparable(
  a: { extractor: string; dim: number },
  b: { extractor: string; dim: number },
  what: string,
): void {
  if (a.extractor !== b.extractor) {
    throw new ExtractorMismatchError(
      `${what}: cannot compare features of extractor '${a.extractor}' with features of '${b.extractor}'; ` +
        'compute both sets with the same extractor',
    );
  }
  if (a.dim !== b.dim) {
    throw new ExtractorMismatchError(
      `${what}: feature dimensions differ (${a.dim} vs ${b.dim}) although both claim extractor '${a.extractor}'`,
    );
  }
}

/** @throws {@link MetricsError} on the first NaN or infinity, naming its index */
export function assertFinite(data: ArrayLike<number>, what: string): void {
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) throw new MetricsError(`${what}: value at index ${i} is ${data[i]}`);
  }
}
