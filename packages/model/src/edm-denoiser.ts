import * as tf from '@tensorflow/tfjs';
import { parseModelConfig, type ModelConfig, type ModelConfigInput } from './config';
import type { Backbone } from './backbone';
import { DiT } from './dit';
import type { ForwardContext } from './layers/context';
import type { Ops, Value } from './ops';
import { ParamStore } from './param-store';
import { precondition, preconditioningVectors, type PreconditioningValues } from './preconditioning';
import { shapeOps } from './shape-ops';
import { tfjsOps } from './tfjs-ops';
import type { TrainedFor } from './trained-for';
import { UNet } from './unet';
import type { CallOptions, StageCall, UnifiedDenoiser } from './unified-denoiser';

/** Below this, sigma_aug is embedded as this value: ln(0) has no embedding. */
const MIN_EMBEDDED_SIGMA_AUG = 0.002;

/** The inputs of one call of D, as values of an interpreter; vectors are [N]. */
export interface DenoiserInputs extends PreconditioningValues {
  /** The noisy input [N, r, r, C]. */
  x: Value;
  /** The condition image [N, r, r, C] (zeros for a first stage); null for a model without condition input. */
  condition: Value | null;
  /** 1 / sqrt(sigma_data^2 + sigma_aug^2): the condition's scale. */
  condScale: Value;
  /** The embedded sigma_aug, ln(max(sigma_aug, 0.002)) / 4. */
  cAug: Value;
  /** 1 where a condition is given, else 0. */
  hasCondition: Value;
  /** Class labels [N] (int32), or null: the null class. */
  classLabels: Value | null;
}

/** The per-sample vectors of {@link DenoiserInputs}, computed the same way for every interpreter. */
export function denoiserVectors(sigmaData: number, sigma: Float32Array, sigmaAug: Float32Array, hasCondition: boolean) {
  return {
    ...preconditioningVectors(sigma, sigmaData),
    cAug: Float32Array.from(sigmaAug, (s) => Math.log(Math.max(s, MIN_EMBEDDED_SIGMA_AUG)) / 4),
    condScale: Float32Array.from(sigmaAug, (s) => 1 / Math.sqrt(sigmaData * sigmaData + s * s)),
    hasCondition: new Float32Array(sigma.length).fill(hasCondition ? 1 : 0),
  };
}

/** Thrown when a call's tensors do not fit the model; the message says which and how. */
export class ModelInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelInputError';
  }
}

/**
 * EDM's preconditioned denoiser over a unified UNet or DiT:
 *   D(x; sigma, c) = c_skip(sigma) x + c_out(sigma) F(c_in(sigma) x, c_noise(sigma); c)
 * with the coefficients from @lowdiff/schedule. The condition image is scaled by
 * 1 / sqrt(sigma_data^2 + sigma_aug^2), its standard deviation after augmentation, the same way
 * c_in scales the noisy input.
 */
export class EdmDenoiser implements UnifiedDenoiser {
  readonly config: ModelConfig;
  readonly store: ParamStore;
  private readonly backbone: Backbone;
  private readonly flops = new Map<number, number>();
  /**
   * What the weights were trained for, from the checkpoint they were loaded from (set by the
   * checkpoint loader, so the facts go wherever the model goes: ONNX Runtime wrappers, exports,
   * the samplers that check plans against them). Null for a new network or a file without them.
   */
  trainedFor: TrainedFor | null = null;

  /** Builds every weight (deterministically from `seed`) and counts FLOPs per resolution. */
  constructor(config: ModelConfigInput | ModelConfig, readonly seed = 0, dryRun = false) {
    this.config = parseModelConfig(config);
    this.store = new ParamStore(seed, dryRun);
    this.backbone = this.config.kind === 'unet' ? new UNet(this.config) : new DiT(this.config);
    // One pass per stage on shapes alone (a refinement call with a class): it creates the weights
    // as the layers ask for them and counts FLOPs, computing nothing.
    for (const r of this.config.stageResolutions) {
      const counter = { total: 0 };
      const map = { shape: [1, r, r, this.channels] };
      const vector = { shape: [1] };
      const inputs: DenoiserInputs = {
        x: map,
        condition: this.config.conditionInput ? map : null,
        classLabels: this.numClasses > 0 ? vector : null,
        cIn: vector,
        cSkip: vector,
        cOut: vector,
        cNoise: vector,
        cAug: vector,
        condScale: vector,
        hasCondition: vector,
      };
      this.interpret(shapeOps, inputs, r, { training: false, dropout: 0, flops: counter });
      this.flops.set(r, counter.total);
    }
    this.store.freeze();
  }

  /**
   * The weights (name -> shape) a config asks for, found by a dry run: nothing is allocated, so
   * a config from a file can be checked against the file before the model is built.
   */
  static plannedWeights(config: ModelConfigInput | ModelConfig): Map<string, number[]> {
    return new EdmDenoiser(config, 0, true).store.planned;
  }

  get resolutions(): readonly number[] {
    return this.config.stageResolutions;
  }
  get channels(): number {
    return this.config.channels;
  }
  get numClasses(): number {
    return this.config.numClasses;
  }
  get sigmaData(): number {
    return this.config.sigmaData;
  }

  denoise(x: tf.Tensor4D, sigma: number | Float32Array, call: StageCall, options: CallOptions = {}): tf.Tensor4D {
    return tf.tidy(() =>
      this.run(x, sigma, call, {
        training: options.training ?? false,
        dropout: this.config.dropout,
        rng: options.rng,
      }),
    );
  }

  flopsPerCall(resolution: number): number {
    const f = this.flops.get(resolution);
    if (f === undefined) throw new ModelInputError(`resolution ${resolution} is not a stage of this model (${this.resolutions.join(', ')})`);
    return f;
  }

  /** Trainable weights, in a stable order. */
  trainableVariables(): tf.Variable[] {
    return this.store.trainable();
  }

  parameterCount(): number {
    return this.store.parameterCount();
  }

  dispose(): void {
    this.store.dispose();
  }

  /**
   * The whole denoiser D written against the op set, for any interpreter: tfjs tensors here,
   * an ONNX graph in `exportOnnx`. `inputs` hold the per-sample vectors of {@link denoiserVectors}.
   */
  interpret(ops: Ops, inputs: DenoiserInputs, resolution: number, ctx: Omit<ForwardContext, 'store' | 'ops'> = { training: false, dropout: 0 }): Value {
    const full: ForwardContext = { ...ctx, store: this.store, ops };
    return precondition(ops, inputs.x, inputs, (scaled, cNoise) => {
      let input = scaled;
      if (this.config.conditionInput) {
        if (!inputs.condition) throw new ModelInputError('this model takes a condition input (zeros for a first stage)');
        input = ops.concatChannels(input, ops.scalePerSample(inputs.condition, inputs.condScale));
      }
      const emb = {
        cNoise,
        cAug: inputs.cAug,
        hasCondition: inputs.hasCondition,
        classLabels: this.numClasses > 0 ? inputs.classLabels : null,
        stageIndex: this.resolutions.indexOf(resolution),
      };
      return this.backbone.forward(full, input, emb, resolution);
    });
  }

  /**
   * Checks a call's tensors against the model and computes its per-sample vectors
   * ({@link denoiserVectors}): what any interpreter of `denoise` starts from.
   * @throws {@link ModelInputError} naming what does not fit
   */
  callVectors(x: tf.Tensor4D, sigma: number | Float32Array, call: StageCall): ReturnType<typeof denoiserVectors> {
    const n = x.shape[0];
    this.check(x, call);
    return denoiserVectors(this.sigmaData, perSample(sigma, n, 'sigma'), perSample(call.sigmaAug ?? 0, n, 'sigmaAug'), !!call.condition);
  }

  private run(x: tf.Tensor4D, sigma: number | Float32Array, call: StageCall, ctx: Omit<ForwardContext, 'store'>): tf.Tensor4D {
    const v = this.callVectors(x, sigma, call);
    const t = (k: keyof typeof v) => tf.tensor1d(v[k]);
    const inputs: DenoiserInputs = {
      x,
      condition: this.config.conditionInput ? (call.condition ?? tf.zerosLike(x)) : null,
      classLabels: call.classLabels ?? null,
      cIn: t('cIn'),
      cSkip: t('cSkip'),
      cOut: t('cOut'),
      cNoise: t('cNoise'),
      cAug: t('cAug'),
      condScale: t('condScale'),
      hasCondition: t('hasCondition'),
    };
    return this.interpret(tfjsOps, inputs, call.resolution, ctx) as tf.Tensor4D;
  }

  private check(x: tf.Tensor4D, call: StageCall): void {
    const [n, h, w, c] = x.shape;
    if (!this.resolutions.includes(call.resolution))
      throw new ModelInputError(`resolution ${call.resolution} is not a stage of this model (${this.resolutions.join(', ')})`);
    if (h !== call.resolution || w !== call.resolution || c !== this.channels)
      throw new ModelInputError(`x has shape [${x.shape}], expected [N, ${call.resolution}, ${call.resolution}, ${this.channels}]`);
    if (call.condition && call.condition.shape.some((d, i) => d !== x.shape[i]))
      throw new ModelInputError(`condition has shape [${call.condition.shape}], expected [${x.shape}] (upsample it to the stage resolution)`);
    if (call.classLabels) {
      if (this.numClasses === 0) throw new ModelInputError('classLabels given, but the model is unconditional (numClasses 0)');
      if (call.classLabels.shape[0] !== n)
        throw new ModelInputError(`classLabels has ${call.classLabels.shape[0]} entries for a batch of ${n}`);
      if (call.classLabels.dtype !== 'int32') throw new ModelInputError('classLabels must be int32');
    }
  }
}

function perSample(v: number | Float32Array, n: number, name: string): Float32Array {
  if (typeof v === 'number') {
    if (!Number.isFinite(v) || v < 0) throw new ModelInputError(`${name} must be a finite number >= 0, got ${v}`);
    return new Float32Array(n).fill(v);
  }
  if (v.length !== n) throw new ModelInputError(`${name} has ${v.length} values for a batch of ${n}`);
  return v;
}
