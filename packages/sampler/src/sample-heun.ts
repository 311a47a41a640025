import type * as tf from '@tensorflow/tfjs';
import { advance, callDenoiser, checkImages, checkSigmas, type Denoiser, type SolverOptions, type SolverResult } from './denoiser';
import { heunStep } from './heun-step';

/**
 * EDM's deterministic sampler (Algorithm 1): Heun's second-order method on the probability-flow
 * ODE, with a plain Euler step into sigma = 0.
 *
 * @param sigmas - N + 1 strictly decreasing noise levels; with a final 0, nfe = 2N - 1
 *   (`heunNfe` in @lowdiff/schedule), otherwise 2N
 */
export async function sampleHeun(denoiser: Denoiser, x: tf.Tensor4D, sigmas: readonly number[], options: SolverOptions = {}): Promise<SolverResult> {
  checkImages(x, 'sampleHeun');
  checkSigmas(sigmas, 'sampleHeun');
  let current = x;
  let nfe = 0;
  try {
    for (let i = 0; i < sigmas.length - 1; i++) {
      const sigma = sigmas[i];
      const sigmaNext = sigmas[i + 1];
      const denoised = await callDenoiser(denoiser, current, sigma, 'sampleHeun');
      nfe++;
      try {
        options.callback?.({ i, sigma, sigmaNext, x: current, denoised });
        const step = await heunStep(denoiser, current, denoised, sigma, sigmaNext, 'sampleHeun');
        nfe += step.calls;
        current = advance(current, step.x, x);
      } finally {
        denoised.dispose();
      }
    }
  } catch (error) {
    // A failing denoiser or callback must not strand the intermediate sample.
    if (current !== x) current.dispose();
    throw error;
  }
  return { x: current, nfe };
}
