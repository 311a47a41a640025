import * as tf from '@tensorflow/tfjs';
import { checkBatch, latentShapeFor, type LatentAdapter } from './latent-adapter';
import { IDENTITY_NORMALISATION, type LatentNormalisation } from './latent-normalisation';
import { LatentInputError } from './errors';

/**
 * Pixel space as a latent space: encode and decode return (a copy of) their input, the latent
 * shape is the image shape. Lets the pixel pipeline use the same trainer and sampler as the
 * latent one.
 */
export function identityAdapter(channels: number): LatentAdapter {
  if (!Number.isInteger(channels) || channels < 1)
    throw new LatentInputError(`identityAdapter: channels must be a positive integer, got ${channels}`);
  const name = 'identity';
  const normalisation: LatentNormalisation = IDENTITY_NORMALISATION;
  return {
    name,
    imageChannels: channels,
    latentChannels: channels,
    downsampleFactor: 1,
    normalisation,
    latentShape: (imageSize) => latentShapeFor(name, imageSize, 1, channels),
    encode(images) {
      checkBatch(name, 'images', images, channels);
      return tf.clone(images);
    },
    decode(latents) {
      checkBatch(name, 'latents', latents, channels);
      return tf.clone(latents);
    },
    dispose() {},
  };
}
