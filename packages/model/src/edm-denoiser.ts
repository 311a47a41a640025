import * as tf from '@tensorflow/tfjs';
import { parseModelConfig, type ModelConfig, type ModelConfigInput } from './config';
import type { Backbone } from './backbone';
import { DiT } from './dit';
import type { ForwardContext } from './layers/context';
import { ParamStore } from './param-store';
import { precondition } from './preconditioning';
import { UNet } from './unet';
import type { CallOptions, StageCall, UnifiedDenoiser } from './unified-denoiser';

/** Below this, sigma_aug is embedded as this value: ln(0) has no embedding. */
const MIN_EMBEDDED_SIGMA_AUG = 0.002;

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

  /** Builds every weight (deterministically from `seed`) and counts FLOPs per resolution. */
  constructor(config: ModelConfigInput | ModelConfig, readonly seed = 0) {
    this.config = parseModelConfig(config);
    this.store = new ParamStore(seed);
    this.backbone = this.config.kind === 'unet' ? new UNet(this.config) : new DiT(this.config);
    for (const r of this.config.stageResolutions) {
      const counter = { total: 0 };
      tf.tidy(() => {
        const x = tf.zeros([1, r, r, this.channels]) as tf.Tensor4D;
        this.run(x, new Float32Array([1]), {
          resolution: r,
          condition: this.config.conditionInput ? x : null,
          sigmaAug: 0.1,
          classLabels: this.numClasses > 0 ? tf.tensor1d([0], 'int32') : null,
        }, { store: this.store, training: false, dropout: 0, flops: counter });
      });
      this.flops.set(r, counter.total);
    }
    this.store.freeze();
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
      this.run(x, perSample(sigma, x.shape[0], 'sigma'), call, {
        store: this.store,
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

  private run(x: tf.Tensor4D, sigma: Float32Array, call: StageCall, ctx: ForwardContext): tf.Tensor4D {
    const [n, h, w, c] = x.shape;
    this.check(x, call);
    const sd = this.sigmaData;
    const aug = perSample(call.sigmaAug ?? 0, n, 'sigmaAug');
    const hasCondition = call.condition ? 1 : 0;
    return precondition(x, sigma, sd, (scaled, cNoise) => {
      let input = scaled;
      if (this.config.conditionInput) {
        const cond = call.condition
          ? tf.mul(call.condition, tf.tensor4d(Array.from(aug, (s) => 1 / Math.sqrt(sd * sd + s * s)), [n, 1, 1, 1]))
          : tf.zeros([n, h, w, c]);
        input = tf.concat([input, cond as tf.Tensor4D], 3);
      }
      const emb = {
        cNoise,
        cAug: tf.tensor1d(Array.from(aug, (s) => Math.log(Math.max(s, MIN_EMBEDDED_SIGMA_AUG)) / 4)),
        hasCondition: tf.fill([n], hasCondition) as tf.Tensor1D,
        classLabels: this.numClasses > 0 ? (call.classLabels ?? null) : null,
        stageIndex: this.resolutions.indexOf(call.resolution),
      };
      return this.backbone.forward(ctx, input, emb, call.resolution);
    });
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
