import * as tf from '@tensorflow/tfjs';
import { downsampleArea, upsample, type UpsampleMode } from '@lowdiff/data';

/**
 * The condition a refinement stage trains with: the target downsampled (area) to the lower
 * stage's resolution, upsampled back, plus sigma_aug * noise per sample (cascaded diffusion
 * models' conditioning augmentation). `noise` has the target's shape.
 */
export function buildCondition(target: tf.Tensor4D, lowResolution: number, mode: UpsampleMode, sigmaAug: Float32Array, noise: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const [n, r] = target.shape;
    const low = downsampleArea(target, { size: lowResolution });
    const up = upsample(low, r, mode);
    return tf.add(up, tf.mul(noise, tf.tensor4d(sigmaAug, [n, 1, 1, 1])));
  });
}
