import * as tf from '@tensorflow/tfjs';
import { callDenoiser, eulerUpdate, type Denoiser } from './denoiser';

/**
 * One step of EDM's Heun method (Algorithm 1, lines 4-8) from `sigma` to `sigmaNext`, given
 * D(x; sigma) already evaluated. The trapezoidal correction needs D at sigmaNext, which is
 * undefined for sigmaNext = 0, so that step stays Euler (EDM's "last step Euler").
 *
 * @returns the new sample and how many further denoiser calls were made (0 or 1)
 */
export async function heunStep(
  denoiser: Denoiser,
  x: tf.Tensor4D,
  denoised: tf.Tensor4D,
  sigma: number,
  sigmaNext: number,
  who: string,
): Promise<{ x: tf.Tensor4D; calls: number }> {
  const predicted = eulerUpdate(x, denoised, sigma, sigmaNext);
  if (sigmaNext === 0) return { x: predicted, calls: 0 };
  try {
    const denoisedNext = await callDenoiser(denoiser, predicted, sigmaNext, who);
    const corrected = tf.tidy(() => {
      const slope = tf.div(tf.sub(x, denoised), sigma);
      const slopeNext = tf.div(tf.sub(predicted, denoisedNext), sigmaNext);
      return tf.add(x, tf.mul(tf.add(slope, slopeNext), (sigmaNext - sigma) / 2)) as tf.Tensor4D;
    });
    denoisedNext.dispose();
    return { x: corrected, calls: 1 };
  } finally {
    predicted.dispose();
  }
}
