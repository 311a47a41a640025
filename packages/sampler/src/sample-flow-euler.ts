import * as tf from '@tensorflow/tfjs';
import { flowTimeToSigma } from '@lowdiff/schedule';
import type { SolverResult } from './denoiser';
import { checkTimes, predictClean, type FlowModel, type FlowSolverOptions } from './flow-model';
import { runSteps } from './step-loop';

/**
 * Euler (equivalently DDIM) sampling in rectified-flow time.
 *
 * @param model - an EDM denoiser (called at sigma = t / (1 - t) on x / (1 - t)), or `{ velocity }`
 * @param x - the start in flow coordinates at times[0], e.g. noise for t = 1; not disposed
 * @param times - N + 1 strictly decreasing flow times in [0, 1] (`flowTimes`), usually ending in 0.
 *   t = 1 means sigma = Infinity, which an EDM denoiser cannot take: start a denoiser at
 *   t < 1 (e.g. `sigmaToFlowTime(80)` with x = noise * t, see {@link flowStartFromEdm}); a
 *   velocity network can start at 1.
 * @returns the sample at times[N] in flow coordinates (the clean image when it is 0), nfe = N
 */
export function sampleFlowEuler(model: FlowModel, x: tf.Tensor4D, times: readonly number[], options: FlowSolverOptions = {}): Promise<SolverResult> {
  const report = options.callback;
  return runSteps('sampleFlowEuler', null, x, times, report && ((s) => report({ ...s, t: s.sigma, tNext: s.sigmaNext, sigma: flowTimeToSigma(s.sigma), sigmaNext: flowTimeToSigma(s.sigmaNext) })), {
    checkLevels: (levels) => checkTimes(levels, typeof model === 'function'),
    evaluate: (at, t) => predictClean(model, at, t),
    // The flow Euler step x' = x + (t' - t) v_hat, written with x0_hat.
    update: ({ x: xt, denoised, sigma: t, sigmaNext: tNext }) => tf.tidy(() => tf.add(tf.mul(xt, tNext / t), tf.mul(denoised, 1 - tNext / t)) as tf.Tensor4D),
  });
}
