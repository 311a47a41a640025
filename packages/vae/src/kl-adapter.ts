import * as tf from '@tensorflow/tfjs';
import { ParamStore, type ForwardContext } from '@lowdiff/model';
import { checkBatch, latentShapeFor, type EncodeOptions, type LatentAdapter } from './latent-adapter';
import {
  denormaliseLatents,
  LatentNormalisationSchema,
  normaliseLatents,
  sanitiseLatents,
  type LatentNormalisation,
  type LatentNormalisationInput,
} from './latent-normalisation';
import { LatentInputError, parseVaeConfig } from './errors';
import { decoderForward, decoderOnnx, encoderForward, splitMoments } from './vae-network';
import type { VaeArchitecture } from './vae-architecture';

/** The raw (unnormalised) diagonal-Gaussian posterior q(z | x). The caller disposes both. */
export interface Posterior {
  mean: tf.Tensor4D;
  /** log variance, clamped to [-30, 20]. */
  logvar: tf.Tensor4D;
}

/**
 * What both KL autoencoders share: the diffusers AutoencoderKL network over a ParamStore, the
 * latent normalisation, and the LatentAdapter methods. {@link KlAutoencoder} (small, trainable,
 * per-channel statistics) and {@link AutoencoderKL} (Stable Diffusion's, scale + shift) differ
 * only in config and defaults.
 */
export abstract class KlAdapterBase implements LatentAdapter {
  abstract readonly name: string;
  readonly downsampleFactor: number;
  private norm: LatentNormalisation;

  protected constructor(
    readonly architecture: VaeArchitecture,
    /** Weights under their diffusers names, in tfjs layout (conv [kh, kw, in, out], linear [in, out]). */
    readonly store: ParamStore,
    normalisation: LatentNormalisation,
    /** decode clips normalised latents to +-latentClamp (and maps NaN to 0) before decoding. */
    readonly latentClamp: number,
  ) {
    this.downsampleFactor = 2 ** (architecture.blockOutChannels.length - 1);
    this.norm = normalisation;
  }

  get imageChannels(): number {
    return this.architecture.inChannels;
  }

  get latentChannels(): number {
    return this.architecture.latentChannels;
  }

  get normalisation(): LatentNormalisation {
    return this.norm;
  }

  /** Replaces the normalisation (e.g. with measured per-channel statistics); validated. */
  setNormalisation(n: LatentNormalisationInput): void {
    const parsed = parseVaeConfig(LatentNormalisationSchema, n, 'latent normalisation');
    if (parsed.kind === 'per-channel' && parsed.mean.length !== this.latentChannels)
      throw new LatentInputError(`per-channel normalisation has ${parsed.mean.length} channels, the autoencoder has ${this.latentChannels}`);
    this.norm = parsed;
  }

  latentShape(imageSize: number | readonly [number, number]): [number, number, number] {
    return latentShapeFor(this.name, imageSize, this.downsampleFactor, this.latentChannels);
  }

  protected context(training = false): ForwardContext {
    return { store: this.store, training, dropout: 0 };
  }

  /** The raw posterior of each image (before normalisation). */
  posterior(images: tf.Tensor4D): Posterior {
    checkBatch(this.name, 'images', images, this.imageChannels, this.downsampleFactor);
    return tf.tidy(() => splitMoments(encoderForward(this.context(), this.architecture, images), this.latentChannels));
  }

  encode(images: tf.Tensor4D, options: EncodeOptions = {}): tf.Tensor4D {
    return tf.tidy(() => {
      const { mean, logvar } = this.posterior(images);
      const z = options.sample ? tf.add(mean, tf.mul(tf.exp(tf.mul(logvar, 0.5)), options.sample.normalTensor(mean.shape))) : mean;
      return normaliseLatents(z as tf.Tensor4D, this.norm);
    });
  }

  /** Raw latents -> images, unclipped and unguarded (training uses this path). */
  decodeRaw(z: tf.Tensor4D, training = false): tf.Tensor4D {
    checkBatch(this.name, 'latents', z, this.latentChannels);
    return tf.tidy(() => decoderForward(this.context(training), this.architecture, z));
  }

  decode(latents: tf.Tensor4D): tf.Tensor4D {
    checkBatch(this.name, 'latents', latents, this.latentChannels);
    return tf.tidy(() => {
      const z = denormaliseLatents(sanitiseLatents(latents, this.latentClamp), this.norm);
      return tf.clipByValue(decoderForward(this.context(), this.architecture, z), -1, 1);
    });
  }

  /**
   * The decoder as an ONNX graph (opset 17, dynamic batch) for latents of `size` x `size`: input
   * `latents` (raw, i.e. denormalised), output `images` (unclipped), as {@link decodeRaw}.
   */
  exportDecoderOnnx(size: number): Uint8Array {
    return decoderOnnx(this.store, this.architecture, size);
  }

  parameterCount(): number {
    return this.store.parameterCount();
  }

  dispose(): void {
    this.store.dispose();
  }
}

/** A ParamStore with freshly initialised weights for `architecture` (seeded by name), frozen. */
export function randomStore(architecture: VaeArchitecture, seed: number): ParamStore {
  const store = new ParamStore(seed);
  const ctx: ForwardContext = { store, training: false, dropout: 0 };
  const f = 2 ** (architecture.blockOutChannels.length - 1);
  // Layers create their weights on first use; one tiny pass through each half creates them all.
  tf.tidy(() => {
    encoderForward(ctx, architecture, tf.zeros([1, f, f, architecture.inChannels]));
    decoderForward(ctx, architecture, tf.zeros([1, 1, 1, architecture.latentChannels]));
  });
  store.freeze();
  return store;
}

/** A frozen ParamStore holding `weights` (tfjs layout; the tensors become variables and are disposed). */
export function storeFromWeights(weights: Map<string, tf.Tensor>): ParamStore {
  const store = new ParamStore(0);
  for (const [name, t] of weights) {
    store.vars.set(name, tf.variable(t, true));
    t.dispose();
  }
  store.freeze();
  return store;
}
