import * as tf from '@tensorflow/tfjs';
import { access } from 'node:fs/promises';
import { Rng, RngStateSchema } from '@lowdiff/backend';
import { Adam, trainingLoop } from '@lowdiff/model';
import { batches, BatchCursorSchema, type BatchCursor, type ImageDataset } from '@lowdiff/data';
import { z } from 'zod';
import { parseVaeConfig, VaeConfigError, VaeTrainingError } from './errors';
import { KlAutoencoder, KlAutoencoderConfigSchema } from './kl-autoencoder';
import { loadKlAutoencoder, saveKlAutoencoder } from './kl-checkpoint';
import { klDivergence, reconstructionLoss } from './kl-loss';
import { checkBatch } from './latent-adapter';
import { decoderForward, encoderForward, splitMoments } from './vae-network';

/** How to train a {@link KlAutoencoder}. */
export const KlTrainingConfigSchema = z
  .object({
    model: KlAutoencoderConfigSchema.prefault({}),
    batchSize: z.number().int('must be an integer').min(1, 'must be >= 1').default(16),
    learningRate: z.number().positive('must be > 0').default(2e-3),
    beta1: z.number().min(0).lt(1, 'must be < 1').default(0.9),
    beta2: z.number().min(0).lt(1, 'must be < 1').default(0.999),
    /** Reconstruction term: mean absolute (l1) or squared (l2) error per pixel. */
    loss: z.enum(['l1', 'l2']).default('l2'),
    /** beta: weight of the KL term (averaged per latent element, like the reconstruction term per pixel). */
    klWeight: z.number().min(0, 'must be >= 0').default(1e-4),
    /** Decode a posterior sample during training (a VAE); false decodes the mean (a plain autoencoder + KL penalty). */
    samplePosterior: z.boolean().default(true),
    /** Seeds the weights, the batch order and the posterior noise. */
    seed: z.number().int('must be an integer').default(0),
  })
  .strict();
export type KlTrainingConfig = z.output<typeof KlTrainingConfigSchema>;
export type KlTrainingConfigInput = z.input<typeof KlTrainingConfigSchema>;

/** A batch from `batches()` or any stream of image batches; training disposes the tensors it is handed. */
export interface ImageBatch {
  images: tf.Tensor4D;
  labels?: tf.Tensor;
  next?: BatchCursor;
}

export type AutoencoderTrainingData = ImageDataset | AsyncIterable<ImageBatch> | Iterable<ImageBatch>;

export interface AutoencoderTrainingProgress {
  step: number;
  steps: number;
  /** reconstruction + klWeight * kl, this step. */
  loss: number;
  reconstruction: number;
  kl: number;
  /** Mean over the steps since the last report. */
  imagesPerSecond: number;
  elapsedMs: number;
  /** Estimated time to `steps`, from this run's rate. */
  etaMs: number;
}

export interface TrainAutoencoderOptions {
  /** Train until this step (counted over resumes). */
  steps: number;
  onProgress?: (p: AutoencoderTrainingProgress) => void;
  /** Steps between progress reports (default 10; the last step always reports). */
  progressEvery?: number;
  /** Where checkpoints go (atomically); none are written without it. */
  checkpointPath?: string;
  /** Steps between checkpoints (default: only at the end). */
  checkpointEvery?: number;
  /** Continue from `checkpointPath` when it exists: weights, Adam moments, RNG and data cursor. */
  resume?: boolean;
  /** Stop after the current step (a checkpoint is still written). */
  signal?: AbortSignal;
  /**
   * Start from these weights instead of fresh ones (its config must equal config.model); training
   * updates it in place. A resumed checkpoint takes precedence and leaves it untouched.
   */
  autoencoder?: KlAutoencoder;
}

export interface TrainAutoencoderResult {
  autoencoder: KlAutoencoder;
  /** Steps done in total (over resumes). */
  step: number;
  stopped: 'steps' | 'aborted' | 'data-exhausted';
  /** One entry per progress report. */
  history: { step: number; loss: number; reconstruction: number; kl: number }[];
  elapsedMs: number;
}

const TrainingStateSchema = z.object({
  step: z.number().int().min(0),
  rng: RngStateSchema,
  cursor: BatchCursorSchema.nullable(),
  config: z.unknown(),
});

/** Non-finite steps in a row before training stops. */
const MAX_BAD_STEPS = 5;

function isDataset(d: AutoencoderTrainingData): d is ImageDataset {
  return (d as ImageDataset).images instanceof Uint8Array;
}

/**
 * Trains a {@link KlAutoencoder} with Adam on reconstruction (l1/l2) + klWeight * KL. The
 * data is an ImageDataset (seeded, resumable batches of `batchSize`, short last batches
 * dropped) or a stream of batches (e.g. from `batches()`; each batch's tensors are disposed
 * here). Progress goes to `onProgress`; nothing is printed. The returned autoencoder has no
 * normalisation yet: run {@link measureLatentStats} and `setNormalisation` before using it as
 * an adapter.
 */
export async function trainAutoencoder(
  data: AutoencoderTrainingData,
  config: KlTrainingConfigInput,
  options: TrainAutoencoderOptions,
): Promise<TrainAutoencoderResult> {
  const cfg = parseVaeConfig(KlTrainingConfigSchema, config, 'KL autoencoder training config');
  const steps = options.steps;
  if (!Number.isInteger(steps) || steps < 0) throw new VaeConfigError(`Invalid training options: steps: must be an integer >= 0, got ${steps}`);
  const progressEvery = options.progressEvery ?? 10;
  const checkpointEvery = options.checkpointEvery ?? 0;
  if (!(Number.isInteger(progressEvery) && progressEvery >= 1)) throw new VaeConfigError(`Invalid training options: progressEvery: must be an integer >= 1`);
  if (!(Number.isInteger(checkpointEvery) && checkpointEvery >= 0)) throw new VaeConfigError(`Invalid training options: checkpointEvery: must be an integer >= 0`);
  if (options.resume && !options.checkpointPath) throw new VaeConfigError('Invalid training options: resume: needs checkpointPath');

  const adam = new Adam({ beta1: cfg.beta1, beta2: cfg.beta2, epsilon: 1e-8 });
  let autoencoder: KlAutoencoder;
  let rng = new Rng(cfg.seed);
  let step = 0;
  let cursor: BatchCursor | null = null;
  if (options.resume && (await exists(options.checkpointPath!))) {
    const loaded = await loadKlAutoencoder(options.checkpointPath!);
    const state = TrainingStateSchema.safeParse(loaded.training);
    if (!state.success) throw new VaeConfigError(`${options.checkpointPath}: no usable training state to resume from`);
    if (JSON.stringify(loaded.autoencoder.config) !== JSON.stringify(cfg.model)) {
      loaded.autoencoder.dispose();
      throw new VaeConfigError(`Invalid training config: model: differs from the checkpoint's model config ${JSON.stringify(loaded.autoencoder.config)}`);
    }
    autoencoder = loaded.autoencoder;
    adam.load(loaded.optimizer, state.data.step);
    tf.dispose([...loaded.optimizer.values()]);
    rng = new Rng(state.data.rng);
    step = state.data.step;
    cursor = state.data.cursor;
  } else if (options.autoencoder) {
    autoencoder = options.autoencoder;
    if (JSON.stringify(autoencoder.config) !== JSON.stringify(cfg.model))
      throw new VaeConfigError(`Invalid training config: model: differs from the given autoencoder's config ${JSON.stringify(autoencoder.config)}`);
  } else {
    autoencoder = new KlAutoencoder(cfg.model, cfg.seed);
  }

  const weights = new Map(autoencoder.store.entries().filter(([, v]) => v.trainable));
  const byVarName = new Map([...weights].map(([name, v]) => [v.name, name]));
  const save = async () => {
    if (!options.checkpointPath) return;
    const moments = adam.stateTensors();
    try {
      await saveKlAutoencoder(options.checkpointPath, autoencoder, {
        optimizer: moments,
        training: { step, rng: rng.state(), cursor, config: cfg },
      });
    } finally {
      tf.dispose([...moments.values()]);
    }
  };

  const source = isDataset(data)
    ? batches(data, { batchSize: cfg.batchSize, seed: cfg.seed, epochs: 'infinite', dropLast: true, start: cursor ?? undefined })
    : data;
  const iterator: AsyncIterator<ImageBatch> | Iterator<ImageBatch> =
    Symbol.asyncIterator in source ? (source as AsyncIterable<ImageBatch>)[Symbol.asyncIterator]() : (source as Iterable<ImageBatch>)[Symbol.iterator]();

  const history: TrainAutoencoderResult['history'] = [];
  const start = performance.now();
  let lastReport = { time: start, images: 0 };
  let images = 0;
  let stopped: TrainAutoencoderResult['stopped'] = 'steps';
  try {
    const { reason } = await trainingLoop({
      position: () => step,
      until: steps,
      signal: options.signal,
      maxBadSteps: MAX_BAD_STEPS,
      checkpointEvery,
      save,
      step: async () => {
        const next = await iterator.next();
        if (next.done) return { ok: false as const, reason: 'the data ended', end: true };
        const batch = next.value;
        let losses: Float32Array | null;
        try {
          checkBatch(autoencoder.name, 'images', batch.images, autoencoder.imageChannels, autoencoder.downsampleFactor);
          losses = await trainStep(autoencoder, cfg, adam, weights, byVarName, batch.images, rng);
        } finally {
          tf.dispose([batch.images, ...(batch.labels ? [batch.labels] : [])]);
        }
        if (batch.next) cursor = batch.next;
        if (!losses) return { ok: false as const, reason: 'the loss is not finite' };
        step++;
        return { ok: true as const, images: batch.images.shape[0], losses };
      },
      diverged: (bad, why) => new VaeTrainingError(`training stopped at step ${step}: ${bad} steps in a row where ${why}; the weights were not updated by them. Try a lower learningRate.`),
      afterStep: ({ images: n, losses }, p) => {
        images += n;
        if (step % progressEvery !== 0 && step !== steps) return;
        const now = performance.now();
        const entry = { step, loss: losses[0], reconstruction: losses[1], kl: losses[2] };
        history.push(entry);
        const rate = ((images - lastReport.images) * 1000) / Math.max(now - lastReport.time, 1e-9);
        lastReport = { time: now, images };
        options.onProgress?.({ ...entry, steps, imagesPerSecond: rate, elapsedMs: now - start, etaMs: p.etaSec * 1000 });
      },
    });
    if (reason !== 'done') stopped = reason;
  } finally {
    await iterator.return?.();
  }
  adam.dispose();
  return { autoencoder, step, stopped, history, elapsedMs: performance.now() - start };
}

/** One Adam step; returns [loss, reconstruction, kl], or null (and no update) when the loss is not finite. */
async function trainStep(
  ae: KlAutoencoder,
  cfg: KlTrainingConfig,
  adam: Adam,
  weights: Map<string, tf.Variable>,
  byVarName: Map<string, string>,
  x: tf.Tensor4D,
  rng: Rng,
): Promise<Float32Array | null> {
  const [h, w] = ae.latentShape([x.shape[1], x.shape[2]]);
  const eps = cfg.samplePosterior ? rng.normalTensor([x.shape[0], h, w, ae.latentChannels]) : null;
  const ctx = { store: ae.store, training: true, dropout: 0 };
  let parts: tf.Tensor[] = [];
  const { value, grads } = tf.variableGrads(() => {
    const { mean, logvar } = splitMoments(encoderForward(ctx, ae.architecture, x), ae.latentChannels);
    const z = eps ? tf.add(mean, tf.mul(tf.exp(tf.mul(logvar, 0.5)), eps)) : mean;
    const rec = reconstructionLoss(decoderForward(ctx, ae.architecture, z as tf.Tensor4D), x, cfg.loss);
    const kl = klDivergence(mean, logvar);
    parts = [tf.keep(rec), tf.keep(kl)];
    return tf.add(rec, tf.mul(kl, cfg.klWeight)) as tf.Scalar;
  }, [...weights.values()]);
  const summary = tf.stack([value, ...parts]);
  const out = (await summary.data()) as Float32Array;
  // A non-finite loss leaves the weights as they were (the shared loop counts and skips it).
  if (out.every(Number.isFinite)) adam.apply(weights, new Map(Object.entries(grads).map(([varName, g]) => [byVarName.get(varName)!, g])), cfg.learningRate);
  tf.dispose([summary, value, ...parts, ...Object.values(grads), ...(eps ? [eps] : [])]);
  return out.every(Number.isFinite) ? out : null;
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
