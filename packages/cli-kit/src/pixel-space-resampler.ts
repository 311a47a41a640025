import * as tf from '@tensorflow/tfjs';
import { downsampleArea, upsample } from '@lowdiff/data';
import type { Resampler } from '@lowdiff/trainer';
import type { LatentAdapter } from '@lowdiff/vae';

/** Where a latent cascade changes resolution: on the latents (default) or on decoded pixels. */
export type ConditionSpace = 'latent' | 'pixel';

/**
 * Resampling in pixel space: decode, resize the image (area down, nearest/bilinear up), encode.
 * Slower than resizing latents (a decoder and an encoder call), but the condition is then the
 * latent of a real low-resolution image; the paper leaves the choice open.
 */
export function pixelSpaceResampler(adapter: LatentAdapter): Resampler {
  const f = adapter.downsampleFactor;
  return {
    downsample: (z, r) => tf.tidy(() => adapter.encode(downsampleArea(adapter.decode(z), { size: r * f }))),
    upsample: (z, r, mode) => tf.tidy(() => adapter.encode(upsample(adapter.decode(z), r * f, mode))),
  };
}
