import * as tf from '@tensorflow/tfjs';
import { floatToBytes } from '@lowdiff/data';
import type { SamplingDenoiser } from '@lowdiff/model';
import { runCascade, type CascadeResult, type ResolvedCascadePlan, type RunCascadeOptions, type TrainingFinding } from '@lowdiff/sampler';
import { checkPlanTraining } from './training-check';

/** Samples made by a plan, kept as plain arrays so thousands fit without holding tensors. */
export interface Generated {
  count: number;
  resolution: number;
  channels: number;
  /** Final images, NHWC float in [-1, 1]. */
  images: Float32Array;
  /** The first stage's outputs (at its resolution), for the low-resolution consistency score. */
  firstStage: Float32Array;
  firstResolution: number;
  /** Each stage's output for the first `stripCount` samples (for a stage strip). */
  strip: { resolution: number; images: Float32Array }[];
  labels: number[];
  nfe: number;
  effectiveNfe: number;
  stages: CascadeResult['stages'];
  /** Wall time of the sampling itself, all batches. */
  wallMs: number;
  /** The plan's warnings against what the model was trained for (errors stop `generate`); absent where nothing was checked. */
  trainingWarnings?: TrainingFinding[];
}

export interface GenerateOptions {
  /** Replaces upsampling between stages (e.g. pixel-space resampling of latents). */
  resample?: RunCascadeOptions['resample'];
  count: number;
  seed: number;
  /** Label per sample (undefined: unconditional). */
  labels?: number[];
  batchSize: number;
  /** Index of the first sample (labels are indexed from 0 regardless). */
  firstIndex?: number;
  stripCount?: number;
  onBatch?: (done: number, total: number) => void;
  /**
   * Latent-space models: turns the sampler's outputs (latents) into images in [-1, 1]. The final
   * decode counts towards `wallMs` (it is part of making an image); the first stage and the
   * strip are decoded after timing, each at its own size (the decoder must accept every stage's
   * latent size). `Generated` then describes the decoded images.
   */
  decode?: (latents: tf.Tensor4D) => tf.Tensor4D;
  /** `false`: skip the check against `model.trainedFor` (a sampling pool's workers: the pool checked). */
  checkTraining?: boolean;
}

/**
 * Runs a plan over `count` samples in batches. Sample i depends only on (seed, i), so the batch
 * size changes speed, never the images. `model.denoise` may answer synchronously or with a promise.
 * First the plan is checked against what the model was trained for (`checkPlanTraining`): a
 * mismatch stops with a CliError before anything is sampled, a warning is printed once.
 */
export async function generate(model: SamplingDenoiser, plan: ResolvedCascadePlan, o: GenerateOptions): Promise<Generated> {
  const trainingWarnings = o.checkTraining === false || !model.trainedFor ? undefined : checkPlanTraining(model.trainedFor, plan);
  const r = plan.stages[plan.stages.length - 1].resolution;
  const r0 = plan.stages[0].resolution;
  const c = model.channels;
  const stripCount = Math.min(o.stripCount ?? 0, o.count);
  // What the sampler produces (latents when decoding), per stage; final images are decoded per batch.
  const firstStage = new Float32Array(o.count * r0 * r0 * c);
  const strip = plan.stages.map((s) => ({ resolution: s.resolution, images: new Float32Array(stripCount * s.resolution * s.resolution * c) }));
  let images = o.decode ? null : new Float32Array(o.count * r * r * c);
  let outShape: [number, number] = [r, c];
  let last: CascadeResult | null = null;
  let wallMs = 0;
  for (let start = 0; start < o.count; start += o.batchSize) {
    const n = Math.min(o.batchSize, o.count - start);
    const t0 = performance.now();
    const result = await runCascade(model, plan, {
      count: n,
      seed: o.seed,
      firstIndex: (o.firstIndex ?? 0) + start,
      classLabels: o.labels?.slice(start, start + n),
      resample: o.resample,
      onStage: async (info) => {
        const values = (await info.images.data()) as Float32Array;
        const per = info.resolution * info.resolution * c;
        if (info.stageIndex === 0) firstStage.set(values, start * per);
        const keep = Math.max(0, Math.min(n, stripCount - start));
        if (keep > 0) strip[info.stageIndex].images.set(values.subarray(0, keep * per), start * per);
      },
    });
    const final = o.decode ? o.decode(result.images) : result.images;
    if (!images) {
      outShape = [final.shape[1], final.shape[3]];
      images = new Float32Array(o.count * outShape[0] * outShape[0] * outShape[1]);
    }
    images.set((await final.data()) as Float32Array, start * final.size / n);
    wallMs += performance.now() - t0;
    if (final !== result.images) final.dispose();
    result.images.dispose();
    last = result;
    o.onBatch?.(start + n, o.count);
  }
  const decoded = o.decode ? decodeValues(o.decode, firstStage, o.count, r0, c, o.batchSize) : null;
  return {
    count: o.count,
    resolution: outShape[0],
    channels: outShape[1],
    images: images!,
    firstStage: decoded ? decoded.values : firstStage,
    firstResolution: decoded ? decoded.resolution : r0,
    strip: o.decode
      ? strip.map((s) => {
          const d = decodeValues(o.decode!, s.images, stripCount, s.resolution, c, o.batchSize);
          return { resolution: d.resolution, images: d.values };
        })
      : strip,
    labels: o.labels ?? [],
    nfe: last!.nfe,
    effectiveNfe: last!.effectiveNfe,
    stages: last!.stages,
    wallMs,
    ...(trainingWarnings ? { trainingWarnings } : {}),
  };
}

/** Decodes `n` NHWC latents of side `r` in batches; returns the images and their side. */
function decodeValues(decode: (x: tf.Tensor4D) => tf.Tensor4D, latents: Float32Array, n: number, r: number, c: number, batchSize: number) {
  const parts: Float32Array[] = [];
  let resolution = r;
  for (let s = 0; s < n; s += batchSize) {
    const m = Math.min(batchSize, n - s);
    const y = tf.tidy(() => decode(tf.tensor4d(latents.subarray(s * r * r * c, (s + m) * r * r * c), [m, r, r, c])));
    resolution = y.shape[1];
    parts.push(y.dataSync() as Float32Array);
    y.dispose();
  }
  const values = new Float32Array(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) {
    values.set(p, at);
    at += p.length;
  }
  return { values, resolution };
}

/** Float images in [-1, 1] to bytes (what PNGs hold): @lowdiff/data's `floatToBytes`. */
export const toBytes = (values: Float32Array): Uint8Array => floatToBytes(values);

/** Nearest upscaling of NHWC float images by an integer factor (for stage strips). */
export function upscaleNearest(values: Float32Array, n: number, r: number, c: number, factor: number): Float32Array {
  if (factor === 1) return values;
  return tf.tidy(() => tf.image.resizeNearestNeighbor(tf.tensor4d(values, [n, r, r, c]), [r * factor, r * factor]).dataSync() as Float32Array);
}

/** Joins sets generated by the same plan (e.g. interleaved benchmark rounds) into one. */
export function concatGenerated(parts: Generated[]): Generated {
  const join = (pick: (g: Generated) => Float32Array) => {
    const out = new Float32Array(parts.reduce((a, g) => a + pick(g).length, 0));
    let at = 0;
    for (const g of parts) {
      out.set(pick(g), at);
      at += pick(g).length;
    }
    return out;
  };
  return {
    ...parts[0],
    count: parts.reduce((a, g) => a + g.count, 0),
    images: join((g) => g.images),
    firstStage: join((g) => g.firstStage),
    labels: parts.flatMap((g) => g.labels),
    wallMs: parts.reduce((a, g) => a + g.wallMs, 0),
  };
}

/**
 * Images per second of a generated set. `workers`: threads that made it in parallel, whose task
 * times `wallMs` sums (as a `SamplingPool` reports), so the rate is per-thread times workers.
 */
export function imagesPerSecond(g: Pick<Generated, 'count' | 'wallMs'>, workers = 1): number {
  return ((g.count * 1000) / g.wallMs) * workers;
}

/** Loader options for images of `size`: MNIST-family 28x28 images are padded, or resized below 28. */
export function sizeOptions(size: number): { size: number; fit?: 'resize' } {
  return size < 28 ? { size, fit: 'resize' } : { size };
}
