import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { LatentInputError } from './errors';

const finite = z.number().refine(Number.isFinite, 'must be a finite number');

/**
 * How raw autoencoder latents z map to the normalised latents a diffusion model sees.
 *
 * - `scale-shift` (Stable Diffusion style): z_norm = (z - shift) * scale, one scale and shift for
 *   every channel (SD 1.x: scale 0.18215, shift 0; SD3/Flux add a shift).
 * - `per-channel` (LightningDiT style): z_norm = (z - mean[c]) / std[c], with the per-channel
 *   mean and standard deviation measured over the data set ({@link measureLatentStats}) and
 *   stored with the adapter. `count` records how many latent values per channel were measured.
 */
export const LatentNormalisationSchema = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('scale-shift'),
      scale: finite.refine((v) => v !== 0, 'must not be 0'),
      shift: finite.default(0),
    })
    .strict(),
  z
    .object({
      kind: z.literal('per-channel'),
      mean: z.array(finite).min(1, 'needs one value per latent channel'),
      std: z.array(finite.refine((v) => v > 0, 'must be > 0')).min(1, 'needs one value per latent channel'),
      count: z.number().int().min(0).optional(),
    })
    .strict()
    .refine((n) => n.mean.length === n.std.length, { path: ['std'], message: 'must have as many entries as mean' }),
]);
export type LatentNormalisation = z.output<typeof LatentNormalisationSchema>;
export type LatentNormalisationInput = z.input<typeof LatentNormalisationSchema>;

/** No normalisation: z_norm = z. */
export const IDENTITY_NORMALISATION: LatentNormalisation = { kind: 'scale-shift', scale: 1, shift: 0 };

/** Per-channel (scale, shift) so that z_norm = (z - shift) * scale in both kinds. */
function affine(n: LatentNormalisation, channels: number): { scale: number[]; shift: number[] } {
  if (n.kind === 'scale-shift') return { scale: Array(channels).fill(n.scale), shift: Array(channels).fill(n.shift) };
  if (n.mean.length !== channels)
    throw new LatentInputError(`per-channel normalisation has ${n.mean.length} channels but the latents have ${channels}`);
  return { scale: n.std.map((s) => 1 / s), shift: n.mean };
}

/** z -> z_norm. The caller owns the result; the input is not disposed. */
export function normaliseLatents(z: tf.Tensor4D, n: LatentNormalisation): tf.Tensor4D {
  const { scale, shift } = affine(n, z.shape[3]);
  return tf.tidy(() => tf.mul(tf.sub(z, tf.tensor1d(shift)), tf.tensor1d(scale)));
}

/** z_norm -> z. The caller owns the result; the input is not disposed. */
export function denormaliseLatents(zNorm: tf.Tensor4D, n: LatentNormalisation): tf.Tensor4D {
  const { scale, shift } = affine(n, zNorm.shape[3]);
  return tf.tidy(() => tf.add(tf.div(zNorm, tf.tensor1d(scale)), tf.tensor1d(shift)));
}

/**
 * Makes normalised latents safe to decode: NaN -> 0 and everything clipped to [-limit, limit]
 * (so +-Infinity becomes +-limit). A diffusion sampler that diverged then yields a bad image, not
 * NaNs that poison every later statistic.
 */
export function sanitiseLatents(zNorm: tf.Tensor4D, limit: number): tf.Tensor4D {
  return tf.tidy(() => tf.clipByValue(tf.where(tf.isNaN(zNorm), tf.zerosLike(zNorm), zNorm), -limit, limit));
}
