import type * as tf from '@tensorflow/tfjs';
import { MetricsError } from './errors';
import type { ExtractorOutput, FeatureExtractor } from './feature-extractor';
import type { FeatureMatrix } from './feature-matrix';
import { FeatureStats } from './feature-stats';

/** Options of {@link collectFeatures}. */
export interface CollectFeaturesOptions {
  /** Keep every feature vector (for KID, precision/recall, .npy export), not only the statistics. */
  keepFeatures?: boolean;
  /** Keep the logits (for IS, conditional accuracy); the extractor must have a classifier head. */
  keepLogits?: boolean;
  /** Dispose each input batch after use (for generators that yield fresh tensors). Default false: the caller owns them. */
  disposeInputs?: boolean;
  /** Called after each batch. */
  onProgress?: (progress: { batches: number; images: number }) => void;
}

/** What {@link collectFeatures} gathered. */
export interface CollectedFeatures {
  stats: FeatureStats;
  features?: FeatureMatrix;
  logits?: FeatureMatrix;
}

/**
 * Runs an extractor over batches of images (NHWC, [-1, 1]) and accumulates float64 feature
 * statistics, optionally keeping the raw features and logits. Each batch's output tensors are
 * disposed as soon as they are read, so memory does not grow with the number of batches.
 *
 * @throws {@link MetricsError} when the extractor returns the wrong shape or no logits where they are asked for
 */
export async function collectFeatures(
  extractor: FeatureExtractor,
  batches: Iterable<tf.Tensor4D> | AsyncIterable<tf.Tensor4D>,
  options: CollectFeaturesOptions = {},
): Promise<CollectedFeatures> {
  const stats = new FeatureStats(extractor.name, extractor.featureDim);
  const featureChunks: Float32Array[] = [];
  const logitChunks: Float32Array[] = [];
  let logitDim = extractor.numClasses ?? 0;
  let batchCount = 0;
  for await (const images of batches) {
    let out: ExtractorOutput | undefined;
    try {
      out = extractor.features(images);
      const [b, d] = out.features.shape;
      if (b !== images.shape[0] || d !== extractor.featureDim) {
        throw new MetricsError(
          `collectFeatures: extractor '${extractor.name}' returned features ${b}x${d} for ${images.shape[0]} images; expected ${images.shape[0]}x${extractor.featureDim}`,
        );
      }
      const values = (await out.features.data()) as Float32Array;
      if (!values.every(Number.isFinite))
        throw new MetricsError(`collectFeatures: extractor '${extractor.name}' returned non-finite features (NaN or Inf in the images?); no score would mean anything`);
      stats.add(values);
      if (options.keepFeatures) featureChunks.push(values);
      if (options.keepLogits) {
        if (out.logits === undefined) throw new MetricsError(`collectFeatures: extractor '${extractor.name}' returns no logits`);
        const [lb, lc] = out.logits.shape;
        if (lb !== b || (logitDim !== 0 && lc !== logitDim)) {
          throw new MetricsError(`collectFeatures: extractor '${extractor.name}' returned logits ${lb}x${lc}; expected ${b}x${logitDim || lc}`);
        }
        logitDim = lc;
        logitChunks.push((await out.logits.data()) as Float32Array);
      }
    } finally {
      out?.features.dispose();
      out?.logits?.dispose();
      if (options.disposeInputs) images.dispose();
    }
    batchCount++;
    options.onProgress?.({ batches: batchCount, images: stats.count });
  }
  const result: CollectedFeatures = { stats };
  if (options.keepFeatures) result.features = concatRows(extractor.name, featureChunks, extractor.featureDim);
  if (options.keepLogits) result.logits = concatRows(extractor.name, logitChunks, logitDim);
  return result;
}

function concatRows(extractor: string, chunks: Float32Array[], dim: number): FeatureMatrix {
  const total = chunks.reduce((a, c) => a + c.length, 0);
  const data = new Float32Array(total);
  let offset = 0;
  for (const c of chunks) {
    data.set(c, offset);
    offset += c.length;
  }
  return { extractor, rows: dim > 0 ? total / dim : 0, dim, data };
}
