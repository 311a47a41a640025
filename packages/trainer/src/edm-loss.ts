import * as tf from '@tensorflow/tfjs';
import type { CallOptions, StageCall, UnifiedDenoiser } from '@lowdiff/model';
import { edmLossWeight } from '@lowdiff/schedule';

/**
 * EDM's training loss (Karras et al. 2022, eq. 8): lambda(sigma) |D(y + sigma n; sigma) - y|^2
 * with lambda = (sigma^2 + sigma_data^2) / (sigma sigma_data)^2, averaged over pixels and samples.
 */
export function edmLoss(
  model: UnifiedDenoiser,
  y: tf.Tensor4D,
  sigma: Float32Array,
  noise: tf.Tensor4D,
  call: StageCall,
  options: CallOptions = {},
): tf.Scalar {
  return tf.tidy(() => {
    const n = y.shape[0];
    const column = (v: ArrayLike<number>) => tf.tensor4d(Float32Array.from(v), [n, 1, 1, 1]);
    const noisy = tf.add(y, tf.mul(noise, column(sigma))) as tf.Tensor4D;
    const denoised = model.denoise(noisy, sigma, call, options);
    const weight = column(Array.from(sigma, (s) => edmLossWeight(s, model.sigmaData)));
    return tf.mean(tf.mul(weight, tf.square(tf.sub(denoised, y))));
  });
}
