import * as tf from '@tensorflow/tfjs';
import { toTensor, type ImageDataset } from '@lowdiff/data';
import {
  collectFeatures,
  conditionalAccuracy,
  fid,
  inceptionScore,
  kid,
  lowResConsistency,
  precisionRecall,
  type FeatureExtractor,
  type FeatureMatrix,
  type FeatureStats,
  type MetricScore,
} from '@lowdiff/metrics';
import type { Generated } from './generate';
import { DEFAULT_SCORE_MODE, scoredAsText, scoredImages, type ScoreMode } from './score-mode';

/** Features of the real images a plan is compared with (computed once, reused by every plan). */
export interface Reference {
  extractor: FeatureExtractor;
  stats: FeatureStats;
  features: FeatureMatrix;
  name: string;
}

/** Images per feature-extractor batch; merged shards rebuild their statistics in the same chunks. */
export const FEATURE_BATCH = 250;

function* chunks(count: number, make: (start: number, n: number) => tf.Tensor4D): Generator<tf.Tensor4D> {
  for (let s = 0; s < count; s += FEATURE_BATCH) yield make(s, Math.min(FEATURE_BATCH, count - s));
}

export async function referenceFeatures(extractor: FeatureExtractor, data: ImageDataset): Promise<Reference> {
  const batches = chunks(data.count, (s, n) => toTensor(data, Array.from({ length: n }, (_, i) => s + i)));
  const { stats, features } = await collectFeatures(extractor, batches, { keepFeatures: true, disposeInputs: true });
  return { extractor, stats, features: features!, name: data.name };
}

export interface Scores {
  extractor: string;
  reference: string;
  /** What FID, KID, IS, precision/recall and accuracy scored (see ScoreMode); low-res PSNR is on floats either way. */
  scoredAs: ScoreMode;
  count: number;
  fid: number;
  kid: number;
  kidStd: number;
  inceptionScore: number;
  precision: number;
  recall: number;
  /** Share of samples the classifier assigns to the requested class (class-conditional runs). */
  conditionalAccuracy: number | null;
  /**
   * PSNR (dB) between the area-downsampled final image and the first stage's output (cascades),
   * on the sampler's floats in every ScoreMode: it measures the cascade's consistency, and the
   * first stage is never saved as an image of its own.
   */
  lowResPsnr: number | null;
  warnings: string[];
}

/**
 * What scoring needs of a generated set, and what shards of one merge exactly: feature statistics
 * (float64 sums), features and logits (KID, precision/recall, IS, accuracy, in sample order), the
 * requested labels, and the low-resolution PSNR as a sum over images.
 */
export interface GeneratedParts {
  count: number;
  /** How the features and logits were computed: shards scored differently do not merge. */
  scoredAs: ScoreMode;
  stats: FeatureStats;
  features: FeatureMatrix;
  logits: FeatureMatrix;
  labels: number[] | null;
  lowRes: { images: number; psnrSum: number } | null;
}

/** A generated set's final images as the metrics see them in `mode`, in feature-extractor batches (the caller disposes each). */
export function scoredBatches(gen: Pick<Generated, 'count' | 'resolution' | 'channels' | 'images'>, mode: ScoreMode): Generator<tf.Tensor4D> {
  const { resolution: r, channels: c } = gen;
  return chunks(gen.count, (s, n) => tf.tensor4d(scoredImages(gen.images.subarray(s * r * r * c, (s + n) * r * r * c), [n, r, r, c], mode), [n, r, r, c]));
}

/** Features, logits (of the images scored as `mode`) and low-resolution consistency of a generated set. */
export async function generatedParts(gen: Generated, extractor: FeatureExtractor, mode: ScoreMode = DEFAULT_SCORE_MODE): Promise<GeneratedParts> {
  const { resolution: r, channels: c } = gen;
  const batches = scoredBatches(gen, mode);
  const got = await collectFeatures(extractor, batches, { keepFeatures: true, keepLogits: true, disposeInputs: true });
  let lowRes: GeneratedParts['lowRes'] = null;
  if (gen.firstResolution < r) {
    const r0 = gen.firstResolution;
    const final = tf.tensor4d(gen.images, [gen.count, r, r, c]);
    const first = tf.tensor4d(gen.firstStage, [gen.count, r0, r0, c]);
    lowRes = { images: gen.count, psnrSum: lowResConsistency(final, first).value * gen.count };
    tf.dispose([final, first]);
  }
  return { count: gen.count, scoredAs: mode, stats: got.stats, features: got.features!, logits: got.logits!, labels: gen.labels.length === gen.count ? gen.labels : null, lowRes };
}

/** Every metric of a generated set against the reference, labelled with the extractor. */
export async function score(gen: Generated, ref: Reference, options: ScoreOptions = {}): Promise<Scores> {
  return scoreParts(await generatedParts(gen, ref.extractor, options.scoredAs), ref, options);
}

export interface ScoreOptions {
  /** What the metrics score (default `png`: the images as saved). */
  scoredAs?: ScoreMode;
  kidSubsets?: number;
  kidSubsetSize?: number;
}

/** The metrics from a generated set's parts (one run's, or shards' merged). */
export function scoreParts(got: GeneratedParts, ref: Reference, options: ScoreOptions = {}): Scores {
  const all: MetricScore[] = [];
  const f = fid({ real: ref.stats, generated: got.stats });
  const k = kid({ real: ref.features, generated: got.features }, { subsets: options.kidSubsets ?? 50, subsetSize: options.kidSubsetSize ?? 1000 });
  const is = inceptionScore(got.logits, { splits: 1 });
  const pr = precisionRecall({ real: ref.features, generated: got.features });
  all.push(f, k, is, pr.precision, pr.recall);
  let acc: number | null = null;
  if (got.labels) {
    const a = conditionalAccuracy(got.logits, got.labels);
    acc = a.value;
    all.push(a);
  }
  return {
    extractor: ref.extractor.name,
    reference: ref.name,
    scoredAs: got.scoredAs,
    count: got.count,
    fid: f.value,
    kid: k.value,
    kidStd: k.std ?? 0,
    inceptionScore: is.value,
    precision: pr.precision.value,
    recall: pr.recall.value,
    conditionalAccuracy: acc,
    lowResPsnr: got.lowRes ? got.lowRes.psnrSum / got.lowRes.images : null,
    warnings: [...new Set(all.flatMap((s) => s.warnings))],
  };
}

/** The shipped classifier that fits a data set. */
export function defaultExtractor(data: string): 'classifier-fmnist' | 'classifier-mnist' {
  return data === 'mnist' ? 'classifier-mnist' : 'classifier-fmnist';
}

/** Scores as three readable lines (plus warnings). */
export function formatScores(s: Scores): string {
  const pct = (v: number | null) => (v === null ? 'n/a' : `${(100 * v).toFixed(1)} %`);
  return [
    `extractor ${s.extractor} (not Inception-v3: not comparable with papers' FID), reference ${s.reference}, ${s.count} samples ${scoredAsText(s.scoredAs)}`,
    `FID ${s.fid.toFixed(3)}  KID ${s.kid.toFixed(4)} ± ${s.kidStd.toFixed(4)}  IS ${s.inceptionScore.toFixed(3)}`,
    `precision ${pct(s.precision)}  recall ${pct(s.recall)}  conditional accuracy ${pct(s.conditionalAccuracy)}  low-res PSNR ${s.lowResPsnr === null ? 'n/a' : `${s.lowResPsnr.toFixed(2)} dB (on floats)`}`,
    ...s.warnings.map((w) => `warning: ${w}`),
  ].join('\n');
}
