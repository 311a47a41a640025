import type * as tf from '@tensorflow/tfjs';
import type { DropoutSource } from './layers/context';
import type { TrainedFor } from './trained-for';

/**
 * What one call of the unified network is asked to do: which cascade stage (its resolution),
 * the low-resolution condition, and the class.
 */
export interface StageCall {
  /** The stage's resolution r: the input enters at level r through that level's stem. */
  resolution: number;
  /**
   * The previous stage's output upsampled to r, [N, r, r, C] in [-1, 1] (noise-augmented by the
   * caller). `null` / absent: a first stage; the network sees zeros and a "no condition" flag.
   */
  condition?: tf.Tensor4D | null;
  /** The condition's augmentation noise level sigma_aug: one number, or one per sample. */
  sigmaAug?: number | Float32Array;
  /**
   * Class labels [N] (int32). Absent, `null`, or a label equal to `numClasses` (the null class)
   * means unconditional, as used by classifier-free guidance.
   */
  classLabels?: tf.Tensor1D | null;
}

/** Per-call options that do not change what is computed, only how. */
export interface CallOptions {
  /** Training mode: dropout is active. */
  training?: boolean;
  /** Source of dropout masks in training mode (seeded, so a resumed run repeats exactly). */
  rng?: DropoutSource;
}

/**
 * The EDM denoiser D(x; sigma, stage) over a unified multi-resolution network: the object the
 * trainer optimises and the sampler calls. Every configured resolution runs through the same
 * weights; a call at resolution r costs only the levels at and below r.
 */
export interface UnifiedDenoiser {
  /** Resolutions (stages) the network serves, ascending. */
  readonly resolutions: readonly number[];
  /** Image (or latent) channels. */
  readonly channels: number;
  /** Number of classes (0: unconditional model). Label `numClasses` is the null class. */
  readonly numClasses: number;
  /** sigma_data of the EDM preconditioning. */
  readonly sigmaData: number;
  /**
   * D(x; sigma, stage): the denoised estimate of `x` [N, r, r, C] at noise level `sigma`
   * (one number, or one per sample; noise levels are drawn in JavaScript, so they arrive as
   * numbers). Returns a new tensor; inputs are not disposed.
   */
  denoise(x: tf.Tensor4D, sigma: number | Float32Array, call: StageCall, options?: CallOptions): tf.Tensor4D;
  /** Analytic FLOPs of one call on one image at `resolution` (multiply-add = 2 FLOPs). */
  flopsPerCall(resolution: number): number;
  /** What the weights were trained for (from their checkpoint); absent or null: unknown, nothing to check plans against. */
  readonly trainedFor?: TrainedFor | null;
}

/**
 * What a sampler drives: a {@link UnifiedDenoiser} whose `denoise` may answer asynchronously, as
 * an ONNX Runtime session does. Every `UnifiedDenoiser` is one.
 */
export interface SamplingDenoiser extends Omit<UnifiedDenoiser, 'denoise'> {
  denoise(x: tf.Tensor4D, sigma: number | Float32Array, call: StageCall, options?: CallOptions): tf.Tensor4D | Promise<tf.Tensor4D>;
}
