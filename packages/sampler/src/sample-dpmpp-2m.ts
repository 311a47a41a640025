import * as tf from '@tensorflow/tfjs';
import { advance, callDenoiser, checkImages, checkSigmas, type Denoiser, type SolverOptions, type SolverResult } from './denoiser';

/**
 * DPM-Solver++(2M) (Lu et al. 2022), in k-diffusion's form: a second-order multistep method in
 * lambda = -ln(sigma) that extrapolates D linearly from the previous step's evaluation, so it costs
 * one call per step like Euler. The first step and the step into sigma = 0 are first order.
 *
 * @returns nfe = N
 */
export async function sampleDpmpp2m(denoiser: Denoiser, x: tf.Tensor4D, sigmas: readonly number[], options: SolverOptions = {}): Promise<SolverResult> {
  checkImages(x, 'sampleDpmpp2m');
  checkSigmas(sigmas, 'sampleDpmpp2m');
  let current = x;
  let previous: tf.Tensor4D | null = null;
  let nfe = 0;
  try {
    for (let i = 0; i < sigmas.length - 1; i++) {
      const sigma = sigmas[i];
      const sigmaNext = sigmas[i + 1];
      const denoised = await callDenoiser(denoiser, current, sigma, 'sampleDpmpp2m');
      nfe++;
      try {
        options.callback?.({ i, sigma, sigmaNext, x: current, denoised });
        const old = previous;
        current = advance(
          current,
          tf.tidy(() => {
            // With h = lambda' - lambda, the data-prediction update is x' = (s'/s) x + (1 - s'/s) D_hat.
            let estimate: tf.Tensor = denoised;
            if (old && sigmaNext > 0) {
              const h = Math.log(sigma / sigmaNext);
              const hLast = Math.log(sigmas[i - 1] / sigma);
              const k = 1 / (2 * (hLast / h));
              estimate = tf.sub(tf.mul(denoised, 1 + k), tf.mul(old, k));
            }
            const ratio = sigmaNext / sigma;
            return tf.add(tf.mul(current, ratio), tf.mul(estimate, 1 - ratio)) as tf.Tensor4D;
          }),
          x,
        );
      } catch (error) {
        denoised.dispose();
        throw error;
      }
      previous?.dispose();
      previous = denoised;
    }
  } catch (error) {
    if (current !== x) current.dispose();
    throw error;
  } finally {
    previous?.dispose();
  }
  return { x: current, nfe };
}
