/**
 * @lowdiff/metrics: sample-quality metrics for generated images - FID, KID, IS, improved
 * precision/recall, conditional accuracy and the cascade's low-resolution consistency - over
 * features of a named extractor, with float64 statistics files that merge across shards.
 */
export type { FeatureExtractor, ExtractorOutput } from './feature-extractor';
export { featureMatrix, assertComparable, type FeatureMatrix } from './feature-matrix';
export { FeatureStats, mergeStats, type FeatureMoments } from './feature-stats';
export {
  encodeStats,
  decodeStats,
  saveStats,
  loadStats,
  readStatsHeader,
  STATS_MAGIC,
  StatsFileHeaderSchema,
  type StatsFileHeader,
  type StatsMeta,
} from './stats-file';
export { frechetDistance, type FrechetResult } from './frechet-distance';
export { fid, type FidInput } from './fid';
export { kid, mmdUnbiased, KidOptionsSchema, type KidOptions, type FeaturePair } from './kid';
export { inceptionScore, softmaxRows, InceptionScoreOptionsSchema, type InceptionScoreOptions } from './inception-score';
export {
  precisionRecall,
  knnRadii2,
  PrecisionRecallOptionsSchema,
  type PrecisionRecallOptions,
  type PrecisionRecallResult,
} from './precision-recall';
export { conditionalAccuracy } from './conditional-accuracy';
export {
  lowResConsistency,
  LowResConsistencyOptionsSchema,
  MSE_FLOOR,
  type LowResConsistencyOptions,
  type LowResConsistencyScore,
} from './low-res-consistency';
export { ProductPrecisionSchema, squaredNorms, type ProductPrecision } from './pairwise';
export { encodeNpy, decodeNpy, writeNpy, readNpy, writeFeaturesNpy, readFeaturesNpy, type NpyArray, type NpyDtype } from './npy';
export { collectFeatures, type CollectFeaturesOptions, type CollectedFeatures } from './collect-features';
export { formatScore, type MetricName, type MetricScore } from './metric-score';
export { MetricsError, MetricsParamError, ExtractorMismatchError, StatsFileError, NpyFormatError } from './errors';
export { ClassifierExtractor, ClassifierConfigSchema, type ClassifierConfig } from './classifier-extractor';
export { loadShippedClassifier, shippedClassifierPath, SHIPPED_CLASSIFIERS, type ShippedClassifier } from './shipped-classifiers';
export {
  InceptionV3Extractor,
  InceptionV3OptionsSchema,
  INCEPTION_V3_NAME,
  inceptionV3FromTensors,
  loadInceptionV3,
  type InceptionV3Options,
} from './inception-v3';
export {
  INCEPTION_V3_PARAMETERS,
  InceptionWeightsError,
  checkInceptionWeights,
  foldInceptionWeights,
  type FoldedConv,
  type FoldedInception,
} from './inception-weights';
export {
  INCEPTION_CONVS,
  INCEPTION_BN_EPS,
  INCEPTION_INPUT_SIZE,
  INCEPTION_MIN_INPUT_SIZE,
  INCEPTION_FEATURE_DIM,
  INCEPTION_FC_CLASSES,
  finalSpatialSize,
  type InceptionConv,
} from './inception-v3-architecture';
