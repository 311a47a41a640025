import type * as tf from '@tensorflow/tfjs';
import { eulerUpdate, type Denoiser, type SolverOptions, type SolverResult } from './denoiser';
import { runSteps } from './step-loop';

/**
 * Euler's method on the probability-flow ODE dx/dsigma = (x - D(x; sigma)) / sigma (EDM eq. 3),
 * one denoiser call per step. In EDM's parameterisation this is also DDIM.
 *
 * @param denoiser - D(x; sigma)
 * @param x - the start, e.g. sigmas[0] * noise; not disposed
 * @param sigmas - N + 1 strictly decreasing noise levels, usually ending in 0 (`karrasSigmas`)
 * @returns the sample at sigmas[N] and nfe = N
 */
export function sampleEuler(denoiser: Denoiser, x: tf.Tensor4D, sigmas: readonly number[], options: SolverOptions = {}): Promise<SolverResult> {
  return runSteps('sampleEuler', denoiser, x, sigmas, options.callback, {
    update: (s) => eulerUpdate(s.x, s.denoised, s.sigma, s.sigmaNext),
  });
}
