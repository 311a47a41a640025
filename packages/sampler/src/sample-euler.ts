import type * as tf from '@tensorflow/tfjs';
import { advance, callDenoiser, checkImages, checkSigmas, eulerUpdate, type Denoiser, type SolverOptions, type SolverResult } from './denoiser';

/**
 * Euler's method on the probability-flow ODE dx/dsigma = (x - D(x; sigma)) / sigma (EDM eq. 3),
 * one denoiser call per step. In EDM's parameterisation this is also DDIM.
 *
 * @param denoiser - D(x; sigma)
 * @param x - the start, e.g. sigmas[0] * noise; not disposed
 * @param sigmas - N + 1 strictly decreasing noise levels, usually ending in 0 (`karrasSigmas`)
 * @returns the sample at sigmas[N] and nfe = N
 */
export async function sampleEuler(denoiser: Denoiser, x: tf.Tensor4D, sigmas: readonly number[], options: SolverOptions = {}): Promise<SolverResult> {
  checkImages(x, 'sampleEuler');
  checkSigmas(sigmas, 'sampleEuler');
  let current = x;
  let nfe = 0;
  try {
    for (let i = 0; i < sigmas.length - 1; i++) {
      const sigma = sigmas[i];
      const sigmaNext = sigmas[i + 1];
      const denoised = await callDenoiser(denoiser, current, sigma, 'sampleEuler');
      nfe++;
      try {
        options.callback?.({ i, sigma, sigmaNext, x: current, denoised });
        current = advance(current, eulerUpdate(current, denoised, sigma, sigmaNext), x);
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
