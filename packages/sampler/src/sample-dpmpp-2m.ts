import * as tf from '@tensorflow/tfjs';
import type { Denoiser, SolverOptions, SolverResult } from './denoiser';
import { runSteps } from './step-loop';

/**
 * DPM-Solver++(2M) (Lu et al. 2022), in k-diffusion's form: a second-order multistep method in
 * lambda = -ln(sigma) that extrapolates D linearly from the previous step's evaluation, so it costs
 * one call per step like Euler. The first step and the step into sigma = 0 are first order.
 *
 * @returns nfe = N
 */
export function sampleDpmpp2m(denoiser: Denoiser, x: tf.Tensor4D, sigmas: readonly number[], options: SolverOptions = {}): Promise<SolverResult> {
  return runSteps('sampleDpmpp2m', denoiser, x, sigmas, options.callback, {
    update: ({ x, denoised, previous, sigma, sigmaNext, sigmaPrevious }) =>
      tf.tidy(() => {
        // With h = lambda' - lambda, the data-prediction update is x' = (s'/s) x + (1 - s'/s) D_hat.
        let estimate: tf.Tensor = denoised;
        if (previous && sigmaNext > 0) {
          const k = 1 / (2 * (Math.log(sigmaPrevious! / sigma) / Math.log(sigma / sigmaNext)));
          estimate = tf.sub(tf.mul(denoised, 1 + k), tf.mul(previous, k));
        }
        const ratio = sigmaNext / sigma;
        return tf.add(tf.mul(x, ratio), tf.mul(estimate, 1 - ratio)) as tf.Tensor4D;
      }),
  });
}
