import * as tf from '@tensorflow/tfjs';
import { eulerUpdate } from './denoiser';
import type { Step } from './step-loop';

/**
 * One step of EDM's Heun method (Algorithm 1, lines 4-8) from `sigma` to `sigmaNext`, given
 * D(x; sigma). The trapezoidal correction needs D at sigmaNext, which is undefined for
 * sigmaNext = 0, so that step stays Euler (EDM's "last step Euler").
 */
export async function heunStep({ x, denoised, sigma, sigmaNext, call }: Step): Promise<tf.Tensor4D> {
  const predicted = eulerUpdate(x, denoised, sigma, sigmaNext);
  if (sigmaNext === 0) return predicted;
  try {
    const denoisedNext = await call(predicted, sigmaNext);
    try {
      return tf.tidy(() => {
        const slope = tf.div(tf.sub(x, denoised), sigma);
        const slopeNext = tf.div(tf.sub(predicted, denoisedNext), sigmaNext);
        return tf.add(x, tf.mul(tf.add(slope, slopeNext), (sigmaNext - sigma) / 2)) as tf.Tensor4D;
      });
    } finally {
      denoisedNext.dispose();
    }
  } finally {
    predicted.dispose();
  }
}
