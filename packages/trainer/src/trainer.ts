import * as tf from '@tensorflow/tfjs';
import { appendFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ensureDir, Rng, RngStateSchema, type BackendName } from '@lowdiff/backend';
import { batches, BatchCursorSchema, type BatchCursor, type BatchIterator, type ImageDataset, type LatentDataset } from '@lowdiff/data';
import { EdmDenoiser, loadCheckpoint, saveCheckpoint, type ModelConfigInput } from '@lowdiff/model';
import { conditionAugSigma, trainingSigmas } from '@lowdiff/schedule';
import { z } from 'zod';
import { Adam, trainingLoop } from '@lowdiff/model';
import { OrtGradients } from '@lowdiff/ort';
import { buildCondition, TENSOR_RESAMPLER, type Resampler } from './build-condition';
import { rows, sliceGradients, type StepSlice } from './slice-gradients';
import { TrainingPool } from './training-pool';
import { repairLog } from './train-log';
import { Ema } from './ema';
import { conditionResolutions, parseTrainingConfig, TrainingConfigError, TrainingConfigSchema, type TrainingConfig, type TrainingConfigInput } from './training-config';

/** What a checkpoint's `training` metadata holds: everything a resumed run needs. */
export const TrainingStateSchema = z.object({
  step: z.number().int().min(0),
  imagesSeen: z.number().int().min(0),
  wallTimeSec: z.number().min(0),
  rng: RngStateSchema,
  cursor: BatchCursorSchema,
  adamStep: z.number().int().min(0),
  config: TrainingConfigSchema,
  dataset: z.string(),
  /** Written with a moment for every trainable weight (files from before that may lack some). */
  momentsComplete: z.boolean().optional(),
});
export type TrainingState = z.infer<typeof TrainingStateSchema>;

export interface StepReport {
  step: number;
  totalSteps: number;
  /** The stage this step trained. */
  resolution: number;
  conditioned: boolean;
  loss: number;
  /** Running mean loss per stage key (`32`, `32c` for conditioned). */
  lossPerStage: Record<string, number>;
  /** Training images/s per stage key, over this run. */
  imagesPerSecPerStage: Record<string, number>;
  learningRate: number;
  gradNorm: number;
  stepsPerSec: number;
  etaSec: number;
  /** Non-finite steps skipped so far in this run. */
  skipped: number;
}

export interface RunOptions {
  /** Stop after this step (default: the config's `steps`). */
  until?: number;
  /** Where checkpoints go (every `checkpointEvery` steps and at the end). */
  checkpointPath?: string;
  /**
   * Appends one JSON line per step. Before the first, the log is cut back to the run's step (torn
   * lines, steps past the checkpoint and a stale log of an earlier run are dropped).
   */
  logPath?: string;
  /** The log was cut back before the run: how many lines stayed and went. */
  onLogRepaired?: (info: { path: string; kept: number; dropped: number }) => void;
  onProgress?: (r: StepReport) => void;
  /** A skipped (non-finite) step. */
  onSkip?: (info: { step: number; reason: string }) => void;
  /** Awaited before the next step, so a callback can read or copy the file before it is replaced. */
  onCheckpoint?: (info: { step: number; path: string }) => void | Promise<void>;
  /** Abort (e.g. on Ctrl-C): the current step finishes, a checkpoint is written, run() returns. */
  signal?: AbortSignal;
  /**
   * Threads that compute each step (default 1): the batch is split into this many slices, one
   * computed here and the others in worker threads holding model replicas; the summed gradients
   * equal the one-thread ones to float rounding, so the run does not depend on it.
   */
  workers?: number;
  /**
   * What computes each slice's loss and gradients: 'tfjs' (the model's tfjs variables and
   * `variableGrads` on the active backend; default) or 'ort' (the stage's training graph on ONNX
   * Runtime, one thread per worker; needs onnxruntime-node). Both take the same draws, so a run
   * can switch between them; their gradients agree to float rounding.
   */
  engine?: TrainingEngine;
  /** Worker threads to use across runs (workers - 1 of them), e.g. in a benchmark; left open. */
  pool?: TrainingPool;
  /** Called before each step (custom schedules, fault injection in tests). */
  beforeStep?: (step: number) => void;
  /** Recorded in the checkpoint's `info` (how it was trained: the command, ...). */
  info?: Record<string, unknown>;
}

export interface ResumeOptions {
  /** Accept a changed batch size or seed (refused by default: the run would not continue exactly). */
  allowChanges?: boolean;
}

export interface RunResult {
  step: number;
  reason: 'done' | 'aborted';
  wallTimeSec: number;
}

/** Training stopped because the loss stayed non-finite; the last good checkpoint is untouched. */
export class TrainingDivergedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TrainingDivergedError';
  }
}

/** What computes a step's gradients (see RunOptions.engine). */
export type TrainingEngine = 'tfjs' | 'ort';

/** The engine of one thread: the loss and gradients of a slice, by weight name. */
type LocalEngine = (slice: StepSlice) => Promise<{ loss: number; grads: Map<string, Float32Array> }>;

const stageKey = (resolution: number, conditioned: boolean) => `${resolution}${conditioned ? 'c' : ''}`;

/**
 * LowDiff's multi-resolution training loop: one unified model trained on a mix of stages. Each
 * step draws a stage, builds its target (area-downsampled batch) and condition (downsampled to
 * the next lower model resolution, upsampled back, noise-augmented), draws sigma from the
 * stage's log-normal, and takes the EDM loss; Adam with warm-up and gradient clipping, EMA with
 * a half-life in images. State is explicit (weights, EMA, moments, step, RNG, data cursor), so a
 * resumed run continues exactly.
 */
export class Trainer {
  readonly config: TrainingConfig;
  step = 0;
  imagesSeen = 0;
  wallTimeSec = 0;
  private readonly rng: Rng;
  private readonly adam: Adam;
  private readonly ema: Ema;
  private readonly condRes: (number | null)[];
  private readonly cumulative: number[];
  private readonly weights: Map<string, tf.Variable>;
  private cursor: BatchCursor = { epoch: 0, step: 0 };
  private ort: Promise<OrtGradients> | null = null;

  private constructor(
    readonly model: EdmDenoiser,
    readonly dataset: ImageDataset | LatentDataset,
    config: TrainingConfigInput | TrainingConfig,
    private readonly resampler: Resampler = TENSOR_RESAMPLER,
  ) {
    this.config = parseTrainingConfig(config);
    this.condRes = conditionResolutions(this.config, model.resolutions);
    if (dataset.height !== model.config.resolution || dataset.width !== model.config.resolution || dataset.channels !== model.channels)
      throw new TrainingConfigError(
        `data set ${dataset.name} has ${dataset.height}x${dataset.width}x${dataset.channels} images, the model needs ${model.config.resolution}x${model.config.resolution}x${model.channels}`,
      );
    if (model.numClasses > 0 && dataset.numClasses !== model.numClasses)
      throw new TrainingConfigError(`data set ${dataset.name} has ${dataset.numClasses} classes, the model ${model.numClasses}`);
    this.rng = new Rng(this.config.seed);
    this.weights = new Map(model.store.entries());
    this.adam = new Adam({ beta1: this.config.adamBeta1, beta2: this.config.adamBeta2, epsilon: this.config.adamEpsilon });
    this.ema = new Ema(this.weights, this.config.emaHalfLifeImages, this.config.emaRampup);
    const total = this.config.stages.reduce((a, s) => a + s.probability, 0);
    let acc = 0;
    this.cumulative = this.config.stages.map((s) => (acc += s.probability / total));
  }

  /** A new run: a freshly initialised model (seeded by the training seed). */
  /** `resampler`: how targets and conditions change resolution (default: on the tensors themselves). */
  static create(modelConfig: ModelConfigInput, dataset: ImageDataset | LatentDataset, config: TrainingConfigInput, resampler?: Resampler): Trainer {
    const cfg = parseTrainingConfig(config);
    return new Trainer(new EdmDenoiser(modelConfig, cfg.seed), dataset, cfg, resampler);
  }

  /**
   * Continues a run from its checkpoint: weights, EMA, Adam moments, step, RNG and data position.
   * `overrides` may change what does not alter the past (e.g. more `steps`).
   */
  static async resume(
    path: string,
    dataset: ImageDataset | LatentDataset,
    overrides: Partial<TrainingConfigInput> = {},
    resampler?: Resampler,
    options: ResumeOptions = {},
  ): Promise<Trainer> {
    const ckpt = await loadCheckpoint(path);
    const refuse = (why: string): never => {
      tf.dispose([...(ckpt.ema?.values() ?? []), ...ckpt.tensors.values()]);
      ckpt.model.dispose();
      throw new TrainingConfigError(`${path}: ${why}`);
    };
    const parsed = TrainingStateSchema.safeParse(ckpt.training);
    if (!parsed.success || !ckpt.ema) refuse('not a resumable training checkpoint (no training state or EMA weights)');
    if (!ckpt.hasRawWeights) refuse('holds only EMA weights (a shipped model, not a training run); it cannot be resumed');
    const state = parsed.data!;
    if (state.dataset !== dataset.name) refuse(`was trained on ${state.dataset}, not ${dataset.name}`);
    if (state.rng.state.every((w) => w === 0)) refuse('its RNG state is all zeros (damaged): every later draw would repeat');
    // Older files hold moments only for weights that had a gradient; a missing one there starts
    // at zero, as Adam itself would have started it.
    if (state.adamStep > 0 && state.momentsComplete)
      for (const [name, v] of ckpt.model.store.entries())
        for (const kind of v.trainable ? ['m', 'v'] : []) {
          const t = ckpt.tensors.get(`adam.${kind}/${name}`);
          if (!t || t.shape.join() !== v.shape.join()) refuse(`Adam moment adam.${kind}/${name} is ${t ? `[${t.shape}], expected [${v.shape}]` : 'missing'} (incomplete training state)`);
        }
    for (const key of ['batchSize', 'seed'] as const) {
      const wanted = overrides[key];
      if (wanted !== undefined && wanted !== state.config[key] && !options.allowChanges)
        refuse(
          `${key} ${wanted} differs from the run's ${state.config[key]}: resuming with it would ${key === 'batchSize' ? 'skip or repeat images of the current epoch' : 'change the data order and every random draw'} (allowChanges to accept)`,
        );
    }
    const t = new Trainer(ckpt.model, dataset, { ...state.config, ...overrides }, resampler);
    t.step = state.step;
    t.imagesSeen = state.imagesSeen;
    t.wallTimeSec = state.wallTimeSec;
    t.rng.setState(state.rng);
    t.cursor = state.cursor;
    t.adam.load(ckpt.tensors, state.adamStep);
    t.ema.load(ckpt.ema!);
    tf.dispose([...ckpt.ema!.values(), ...ckpt.tensors.values()]);
    return t;
  }

  /** EMA weights by name (what sampling should use). */
  emaWeights(): Map<string, tf.Tensor> {
    return this.ema.shadow;
  }

  /** Adam's moments by name (`adam.m/<weight>`, `adam.v/<weight>`), as new tensors the caller disposes. */
  optimizerState(): Map<string, tf.Tensor> {
    return this.adam.stateTensors();
  }

  learningRate(step: number): number {
    const { learningRate, warmupSteps } = this.config;
    return warmupSteps > 0 ? learningRate * Math.min(1, (step + 1) / warmupSteps) : learningRate;
  }

  state(): TrainingState {
    return {
      step: this.step,
      imagesSeen: this.imagesSeen,
      wallTimeSec: this.wallTimeSec,
      rng: this.rng.state(),
      cursor: this.cursor,
      adamStep: this.adam.step,
      config: this.config,
      dataset: this.dataset.name,
      momentsComplete: true,
    };
  }

  /** Writes a resumable checkpoint atomically. */
  async save(path: string, info: Record<string, unknown> = {}): Promise<void> {
    this.adam.ensure(this.model.store.entries().filter(([, v]) => v.trainable));
    const moments = this.adam.stateTensors();
    try {
      await saveCheckpoint(path, this.model, {
        ema: this.ema.shadow,
        tensors: moments,
        training: this.state(),
        info: { ...info, steps: this.step, imagesSeen: this.imagesSeen, wallTimeSec: Math.round(this.wallTimeSec), dataset: this.dataset.name },
      });
    } finally {
      tf.dispose([...moments.values()]);
    }
  }

  async run(options: RunOptions = {}): Promise<RunResult> {
    const until = Math.min(options.until ?? this.config.steps, this.config.steps);
    const workers = options.workers ?? 1;
    if (!Number.isInteger(workers) || workers < 1) throw new TrainingConfigError(`workers must be an integer >= 1, got ${workers}`);
    // Worker threads for all but the slice this thread computes (a caller's pool is kept open).
    if (options.pool && options.pool.workers !== workers - 1) throw new TrainingConfigError(`pool has ${options.pool.workers} threads, workers ${workers} needs ${workers - 1}`);
    const engine = options.engine ?? 'tfjs';
    if (engine !== 'tfjs' && engine !== 'ort') throw new TrainingConfigError(`engine must be 'tfjs' or 'ort', got '${engine}'`);
    const local = await this.localEngine(engine);
    const pool = options.pool ?? (workers > 1 ? new TrainingPool(workers - 1) : null);
    const iter = batches(this.dataset, { batchSize: this.config.batchSize, seed: this.config.seed, epochs: 'infinite', dropLast: true, prefetch: 2, start: this.cursor });
    if (options.logPath) {
      await ensureDir(dirname(options.logPath));
      const repaired = await repairLog(options.logPath, this.step);
      if (repaired.dropped > 0) options.onLogRepaired?.({ path: options.logPath, ...repaired });
    }
    const lossEma: Record<string, number> = {};
    const stageTime: Record<string, { ms: number; images: number }> = {};
    const save = async () => {
      if (!options.checkpointPath) return;
      await this.save(options.checkpointPath, options.info);
      await options.onCheckpoint?.({ step: this.step, path: options.checkpointPath });
    };
    let reason: RunResult['reason'];
    try {
      ({ reason } = (await trainingLoop({
        position: () => this.step,
        until,
        signal: options.signal,
        maxBadSteps: this.config.maxBadSteps,
        checkpointEvery: this.config.checkpointEvery,
        save,
        step: async () => {
          options.beforeStep?.(this.step);
          const t0 = performance.now();
          const outcome = await this.trainStep(iter, pool, local, engine);
          this.wallTimeSec += (performance.now() - t0) / 1000;
          return outcome;
        },
        onSkip: (step, why) => options.onSkip?.({ step, reason: why }),
        diverged: (bad, why) =>
          new TrainingDivergedError(
            `training stopped at step ${this.step}: ${bad} non-finite steps in a row (${why}); ` +
              `weights were not updated by them${options.checkpointPath ? `, and the last good checkpoint ${options.checkpointPath} is kept` : ''}. ` +
              'Try a lower learningRate or a tighter gradClip.',
          ),
        afterStep: async (outcome, p) => {
          const key = stageKey(outcome.resolution, outcome.conditioned);
          lossEma[key] = lossEma[key] === undefined ? outcome.loss : 0.95 * lossEma[key] + 0.05 * outcome.loss;
          const st = (stageTime[key] ??= { ms: 0, images: 0 });
          st.ms += p.ms;
          st.images += outcome.batchSize;
          options.onProgress?.({
            step: this.step,
            totalSteps: until,
            resolution: outcome.resolution,
            conditioned: outcome.conditioned,
            loss: outcome.loss,
            lossPerStage: { ...lossEma },
            imagesPerSecPerStage: Object.fromEntries(Object.entries(stageTime).map(([k, v]) => [k, (v.images * 1000) / v.ms])),
            learningRate: outcome.learningRate,
            gradNorm: outcome.gradNorm,
            stepsPerSec: p.stepsPerSec,
            etaSec: p.etaSec,
            skipped: p.skipped,
          });
          if (options.logPath)
            await appendFile(options.logPath, JSON.stringify({ step: this.step, resolution: outcome.resolution, conditioned: outcome.conditioned, loss: outcome.loss, lr: outcome.learningRate, gradNorm: outcome.gradNorm, ms: Math.round(p.ms), time: new Date().toISOString() }) + '\n');
        },
      })) as { reason: RunResult['reason'] });
    } finally {
      await iter.return();
      if (pool !== options.pool) await pool?.close();
    }
    return { step: this.step, reason, wallTimeSec: this.wallTimeSec };
  }

  private async trainStep(iter: BatchIterator, pool: TrainingPool | null, local: LocalEngine, engine: TrainingEngine) {
    const next = await iter.next();
    if (next.done) throw new Error('the batch stream ended'); // epochs are infinite: cannot happen
    const batch = next.value;
    this.cursor = batch.next;
    const cfg = this.config;
    const rng = this.rng;
    // Every random draw comes from one generator in a fixed order: stage, sigmas, labels, noise,
    // augmentation, then the seed of the step's per-sample dropout masks.
    const u = rng.uniform();
    const k = Math.max(0, this.cumulative.findIndex((c) => u < c));
    const stage = cfg.stages[k];
    const r = stage.resolution;
    const n = batch.images.shape[0];
    const sigma = trainingSigmas(stage, Array.from({ length: n }, () => rng.normal()));
    const nc = this.model.numClasses;
    const labels = Int32Array.from(batch.labels.dataSync(), (l) => (rng.uniform() < cfg.labelDropout ? nc : l));
    const learningRate = this.learningRate(this.step);
    const c = this.model.channels;
    let inputs;
    try {
      inputs = this.stepInputs(batch.images, k);
    } finally {
      tf.dispose([batch.images, batch.labels]);
    }
    const full: StepSlice = {
      resolution: r,
      channels: c,
      start: 0,
      count: n,
      total: n,
      ...inputs,
      sigma,
      labels: nc > 0 ? labels : null,
      lossWeight: stage.lossWeight,
      maskSeed: Math.floor(rng.uniform() * 2 ** 32),
    };
    const { loss, grads } = await this.gradients(full, pool, local, engine);
    let sumSquares = 0;
    for (const g of grads.values()) for (let i = 0; i < g.length; i++) sumSquares += g[i] * g[i];
    const gradNorm = Math.sqrt(sumSquares);
    const base = { resolution: r, conditioned: stage.conditioned, batchSize: n, learningRate };
    if (!Number.isFinite(loss) || !Number.isFinite(gradNorm))
      return { ...base, ok: false as const, reason: !Number.isFinite(loss) ? `loss is ${loss}` : `gradient norm is ${gradNorm}` };
    if (cfg.gradClip > 0 && gradNorm > cfg.gradClip) {
      const scale = cfg.gradClip / gradNorm;
      for (const g of grads.values()) for (let i = 0; i < g.length; i++) g[i] *= scale;
    }
    const updated = this.adam.apply(this.weights, grads, learningRate);
    this.step++;
    this.imagesSeen += n;
    // Weights a stage does not reach have no gradient: the EMA reads those from the model.
    this.ema.update(new Map<string, tf.Tensor | Float32Array>([...this.weights, ...updated]), this.imagesSeen, n);
    return { ...base, ok: true as const, images: n, loss, gradNorm };
  }

  /**
   * The step's inputs for the whole batch as arrays a worker's slice can take rows of: the clean
   * images at the stage resolution, the noise, and for a conditioned stage the augmented
   * condition (its draws from the run's generator, after the sigmas and labels).
   */
  private stepInputs(images: tf.Tensor4D, k: number) {
    const cfg = this.config;
    const r = cfg.stages[k].resolution;
    const shape = [images.shape[0], r, r, this.model.channels];
    // A scope, not tidy: it returns arrays; every tensor made here is gone when it ends.
    tf.engine().startScope();
    try {
      const y = r === this.dataset.height ? images : this.resampler.downsample(images, r);
      const noise = this.rng.normalTensor(shape);
      let condition: Float32Array | null = null;
      let sigmaAug: Float32Array | null = null;
      const low = this.condRes[k];
      if (low !== null) {
        sigmaAug = Float32Array.from({ length: shape[0] }, () => conditionAugSigma(cfg.conditionAugmentation, this.rng.uniform(), this.rng.normal()));
        const built = buildCondition(y, low, cfg.conditionUpsample, sigmaAug, this.rng.normalTensor(shape) as tf.Tensor4D, this.resampler);
        condition = built.dataSync() as Float32Array;
      }
      return { y: y.dataSync() as Float32Array, noise: noise.dataSync() as Float32Array, condition, sigmaAug };
    } finally {
      tf.engine().endScope();
    }
  }

  /** This thread's engine: tfjs `variableGrads` on the model, or its training graphs on ONNX Runtime. */
  private async localEngine(engine: TrainingEngine): Promise<LocalEngine> {
    if (engine === 'ort') {
      // Sessions live as long as the trainer: a benchmark's one-step runs reuse them.
      this.ort ??= OrtGradients.create(this.model, { threads: 1 });
      const ort = await this.ort;
      return (slice) => ort.gradients(slice);
    }
    const nameOf = new Map([...this.weights].map(([name, v]) => [v.name, name] as const));
    return async (slice) => {
      // The step's values leave the backend once: summed, clipped and applied as plain arrays.
      const { value, grads: byVariable } = sliceGradients(this.model, slice);
      const grads = new Map<string, Float32Array>();
      for (const [name, g] of Object.entries(byVariable)) grads.set(nameOf.get(name)!, Float32Array.from(g.dataSync() as Float32Array));
      const loss = value.dataSync()[0];
      tf.dispose([value, ...Object.values(byVariable)]);
      return { loss, grads };
    };
  }

  /**
   * Loss and gradients of a step: here for the whole batch, or split into contiguous slices, the
   * first computed here while the pool's workers compute the others from the same weights. The
   * shares add up to the whole-batch values (per-sample dropout masks, see SampleMasks).
   */
  private async gradients(full: StepSlice, pool: TrainingPool | null, local: LocalEngine, engine: TrainingEngine): Promise<{ loss: number; grads: Map<string, Float32Array> }> {
    const parts = pool ? splitRows(full.total, pool.workers + 1) : [];
    if (parts.length < 2) return local(full);
    const trainable = [...this.weights].filter(([, v]) => v.trainable);
    const weights = new Float32Array(trainable.reduce((a, [, v]) => a + v.size, 0));
    let at = 0;
    for (const [, v] of trainable) {
      weights.set(v.dataSync() as Float32Array, at);
      at += v.size;
    }
    const slice = (p: { start: number; count: number }): StepSlice => ({
      ...full,
      ...p,
      y: rows(full.y, full.total, p.start, p.count),
      noise: rows(full.noise, full.total, p.start, p.count),
      sigma: rows(full.sigma, full.total, p.start, p.count),
      condition: full.condition && rows(full.condition, full.total, p.start, p.count),
      sigmaAug: full.sigmaAug && rows(full.sigmaAug, full.total, p.start, p.count),
      labels: full.labels && rows(full.labels, full.total, p.start, p.count),
    });
    const remote = parts.slice(1).map((p) => pool!.run({ backend: tf.getBackend() as BackendName, engine, config: this.model.config, weights, slice: slice(p) }));
    let mine: { loss: number; grads: Map<string, Float32Array> };
    try {
      mine = await local(slice(parts[0]));
    } catch (err) {
      await Promise.allSettled(remote);
      throw err;
    }
    const shares = await Promise.all(remote);
    let offset = 0;
    for (const [name, v] of trainable) {
      // Every slice trains the same stage, so the weights with a gradient are the same in all.
      const g = mine.grads.get(name);
      if (g)
        for (const s of shares) {
          const share = s.grads.subarray(offset, offset + v.size);
          for (let i = 0; i < g.length; i++) g[i] += share[i];
        }
      offset += v.size;
    }
    return { loss: shares.reduce((a, s) => a + s.loss, mine.loss), grads: mine.grads };
  }

  dispose(): void {
    void this.ort?.then((o) => o.dispose()).catch(() => {});
    this.ort = null;
    this.adam.dispose();
    this.ema.dispose();
    this.model.dispose();
  }
}

/** `total` rows in `parts` contiguous slices as even as possible (none empty). */
function splitRows(total: number, parts: number): { start: number; count: number }[] {
  const k = Math.min(parts, total);
  return Array.from({ length: k }, (_, i) => {
    const start = Math.floor((i * total) / k);
    return { start, count: Math.floor(((i + 1) * total) / k) - start };
  });
}
