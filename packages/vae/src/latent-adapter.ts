import type * as tf from '@tensorflow/tfjs';
import type { Rng } from '@lowdiff/backend';
import { LatentInputError } from './errors';
import type { LatentNormalisation } from './latent-normalisation';

/** Options for {@link LatentAdapter.encode}. */
export interface EncodeOptions {
  /**
   * Draw z = mean + exp(logvar / 2) * eps from the posterior with noise from this generator
   * instead of returning its mean. Ignored by adapters without a posterior (identity).
   */
  sample?: Rng;
}

/**
 * The space a diffusion model works in, seen from the pipeline: pixels (identity) or the latents
 * of an autoencoder. One trainer and one sampler serve both by going through this interface.
 *
 * Contract:
 * - `encode(images)` takes NHWC images in [-1, 1] with `imageChannels` channels and a size that
 *   {@link latentShape} accepts, and returns the **normalised** latent
 *   z_norm = normalise(z) (see {@link LatentNormalisation}), shape [N, ...latentShape(H, W)].
 *   For a KL autoencoder z is the posterior **mean** by default, a posterior sample when
 *   `options.sample` is given.
 * - `decode(latents)` takes normalised latents and returns images in [-1, 1] (clipped). KL
 *   adapters first replace NaN by 0 and clip the latent to +-`latentClamp` (normalised units),
 *   so extreme or non-finite latents never produce NaN pixels.
 * - Both are synchronous tfjs calls that neither dispose their input nor leak intermediates;
 *   the caller owns the result. For large inputs use {@link encodeInBatches} /
 *   {@link decodeInBatches}.
 */
export interface LatentAdapter {
  /** e.g. `identity`, `kl-autoencoder`, `autoencoder-kl`. */
  readonly name: string;
  /** Channels of the images it encodes and decodes. */
  readonly imageChannels: number;
  /** Channels of its (normalised) latents. */
  readonly latentChannels: number;
  /** Image side / latent side (1 for pixel space). */
  readonly downsampleFactor: number;
  /** How raw latents are normalised; what `encode` applies and `decode` undoes. */
  readonly normalisation: LatentNormalisation;
  /** [h, w, c] of the latent of an image of `imageSize` (side, or [height, width]). */
  latentShape(imageSize: number | readonly [number, number]): [number, number, number];
  encode(images: tf.Tensor4D, options?: EncodeOptions): tf.Tensor4D;
  decode(latents: tf.Tensor4D): tf.Tensor4D;
  /** Frees the adapter's weights (a no-op for the identity). */
  dispose(): void;
}

/** [h, w, c] for an image side (or [height, width]) and a downsampling factor; throws if it does not divide. */
export function latentShapeFor(
  adapter: string,
  imageSize: number | readonly [number, number],
  factor: number,
  channels: number,
): [number, number, number] {
  const [h, w] = typeof imageSize === 'number' ? [imageSize, imageSize] : imageSize;
  for (const [what, v] of [
    ['height', h],
    ['width', w],
  ] as const) {
    if (!Number.isInteger(v) || v < 1) throw new LatentInputError(`${adapter}: image ${what} must be a positive integer, got ${v}`);
    if (v % factor !== 0)
      throw new LatentInputError(`${adapter}: image ${what} ${v} is not a multiple of the downsampling factor ${factor}`);
  }
  return [h / factor, w / factor, channels];
}

/** Checks that `x` is an NHWC batch with `channels` channels (and a size divisible by `factor`). */
export function checkBatch(adapter: string, what: 'images' | 'latents', x: tf.Tensor, channels: number, factor = 1): void {
  if (x.rank !== 4) throw new LatentInputError(`${adapter}: ${what} must be NHWC (rank 4), got shape [${x.shape}]`);
  if (x.shape[3] !== channels)
    throw new LatentInputError(`${adapter}: ${what} must have ${channels} channel(s), got shape [${x.shape}]`);
  if (x.dtype !== 'float32') throw new LatentInputError(`${adapter}: ${what} must be float32, got ${x.dtype}`);
  if (factor > 1) latentShapeFor(adapter, [x.shape[1] as number, x.shape[2] as number], factor, channels);
}
