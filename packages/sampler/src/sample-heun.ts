import type * as tf from '@tensorflow/tfjs';
import type { Denoiser, SolverOptions, SolverResult } from './denoiser';
import { heunStep } from './heun-step';
import { runSteps } from './step-loop';

/**
 * EDM's deterministic sampler (Algorithm 1): Heun's second-order method on the probability-flow
 * ODE, with a plain Euler step into sigma = 0.
 *
 * @param sigmas - N + 1 strictly decreasing noise levels; with a final 0, nfe = 2N - 1
 *   (`heunNfe` in @lowdiff/schedule), otherwise 2N
 */
export function sampleHeun(denoiser: Denoiser, x: tf.Tensor4D, sigmas: readonly number[], options: SolverOptions = {}): Promise<SolverResult> {
  return runSteps('sampleHeun', denoiser, x, sigmas, options.callback, { update: heunStep });
}
