import * as tf from '@tensorflow/tfjs';
import { downsampleArea, upsample, type UpsampleMode } from '@lowdiff/data';

/**
 * How a stage's target and condition change resolution. The default works on the tensors
 * themselves (area downsampling, nearest/bilinear upsampling); a latent pipeline can do it in
 * pixel space instead (decode, resize, encode), a choice the paper leaves open.
 */
export interface Resampler {
  downsample(x: tf.Tensor4D, resolution: number): tf.Tensor4D;
  upsample(x: tf.Tensor4D, resolution: number, mode: UpsampleMode): tf.Tensor4D;
}

export const TENSOR_RESAMPLER: Resampler = {
  downsample: (x, resolution) => downsampleArea(x, { size: resolution }),
  upsample: (x, resolution, mode) => upsample(x, resolution, mode),
};

/**
 * The condition a refinement stage trains with: the target downsampled to the lower stage's
 * resolution, upsampled back, plus sigma_aug * noise per sample (cascaded diffusion models'
 * conditioning augmentation). `noise` has the target's shape.
 */
export function buildCondition(
  target: tf.Tensor4D,
  lowResolution: number,
  mode: UpsampleMode,
  sigmaAug: Float32Array,
  noise: tf.Tensor4D,
  resampler: Resampler = TENSOR_RESAMPLER,
): tf.Tensor4D {
  return tf.tidy(() => {
    const [n, r] = target.shape;
    const up = resampler.upsample(resampler.downsample(target, lowResolution), r, mode);
    return tf.add(up, tf.mul(noise, tf.tensor4d(sigmaAug, [n, 1, 1, 1])));
  });
}
