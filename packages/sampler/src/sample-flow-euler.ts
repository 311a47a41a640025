import * as tf from '@tensorflow/tfjs';
import { edmToFlowScale, flowTimeToSigma, sigmaToFlowTime } from '@lowdiff/schedule';
import { advance, callDenoiser, checkImages, scopedCall, type Denoiser, type StepInfo, type SolverResult } from './denoiser';
import { SamplerError } from './sampler-error';

// Rectified flow writes x_t = (1 - t) x0 + t eps (t = 1 is noise) and learns the velocity
// v = eps - x0. Dividing EDM's x = x0 + sigma eps by 1 + sigma gives exactly that form with
// t = sigma / (1 + sigma), so one network serves both: x0_hat = D(x_t / (1 - t); t / (1 - t)), and
// v_hat = (x_t - x0_hat) / t. The flow Euler step x' = x + (t' - t) v_hat equals
// (t'/t) x + (1 - t'/t) x0_hat, which mapped back to EDM coordinates is exactly the EDM Euler
// (= DDIM) step between the matching sigmas: the two samplers produce the same images.

/** A velocity network v(x_t, t) of rectified flow; like a {@link Denoiser}, it may answer with a promise. */
export type VelocityFn = (x: tf.Tensor4D, t: number) => tf.Tensor4D | Promise<tf.Tensor4D>;

/** What {@link sampleFlowEuler} integrates: an EDM denoiser, or a flow velocity network. */
export type FlowModel = Denoiser | { velocity: VelocityFn };

/** Step report of {@link sampleFlowEuler}: the EDM fields plus the flow times; `x` is in flow coordinates. */
export interface FlowStepInfo extends StepInfo {
  t: number;
  tNext: number;
}

/** Options of {@link sampleFlowEuler}. */
export interface FlowSolverOptions {
  callback?: (info: FlowStepInfo) => void;
}

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
export async function sampleFlowEuler(model: FlowModel, x: tf.Tensor4D, times: readonly number[], options: FlowSolverOptions = {}): Promise<SolverResult> {
  checkImages(x, 'sampleFlowEuler');
  checkTimes(times, typeof model === 'function');
  let current = x;
  let nfe = 0;
  try {
    for (let i = 0; i < times.length - 1; i++) {
      const t = times[i];
      const tNext = times[i + 1];
      const clean = await predictClean(model, current, t);
      nfe++;
      try {
        options.callback?.({ i, t, tNext, sigma: flowTimeToSigma(t), sigmaNext: flowTimeToSigma(tNext), x: current, denoised: clean });
        const ratio = tNext / t;
        current = advance(current, tf.tidy(() => tf.add(tf.mul(current, ratio), tf.mul(clean, 1 - ratio))), x);
      } finally {
        clean.dispose();
      }
    }
  } catch (error) {
    // A failing denoiser or callback must not strand the intermediate sample.
    if (current !== x) current.dispose();
    throw error;
  }
  return { x: current, nfe };
}

/**
 * Turns a flow velocity network into an EDM denoiser, so that the EDM solvers (Heun, DPM-Solver++)
 * can sample it: D(x; sigma) = x_t - t v(x_t, t) with x_t = x / (1 + sigma), t = sigma / (1 + sigma).
 */
export function denoiserFromVelocity(velocity: VelocityFn): Denoiser {
  return async (x, sigma) => {
    const t = sigmaToFlowTime(sigma);
    const xt = tf.mul(x, edmToFlowScale(sigma)) as tf.Tensor4D;
    try {
      const v = await scopedCall(velocity, xt, t);
      try {
        return tf.tidy(() => tf.sub(xt, tf.mul(v, t)) as tf.Tensor4D);
      } finally {
        v.dispose();
      }
    } finally {
      xt.dispose();
    }
  };
}

/**
 * The flow-coordinate start matching an EDM start sigma * noise: x_t = sigma * noise / (1 + sigma)
 * at t = sigma / (1 + sigma).
 */
export function flowStartFromEdm(xEdm: tf.Tensor4D, sigma: number): { x: tf.Tensor4D; t: number } {
  return { x: tf.mul(xEdm, edmToFlowScale(sigma)) as tf.Tensor4D, t: sigmaToFlowTime(sigma) };
}

async function predictClean(model: FlowModel, x: tf.Tensor4D, t: number): Promise<tf.Tensor4D> {
  if (typeof model === 'function') {
    const sigma = flowTimeToSigma(t);
    const xEdm = tf.mul(x, 1 + sigma) as tf.Tensor4D;
    try {
      return await callDenoiser(model, xEdm, sigma, 'sampleFlowEuler');
    } finally {
      xEdm.dispose();
    }
  }
  const velocity = await callDenoiser(model.velocity, x, t, 'sampleFlowEuler');
  try {
    return tf.tidy(() => tf.sub(x, tf.mul(velocity, t)) as tf.Tensor4D);
  } finally {
    velocity.dispose();
  }
}

function checkTimes(times: readonly number[], isDenoiser: boolean): void {
  if (!Array.isArray(times) || times.length < 2) {
    throw new SamplerError(`sampleFlowEuler: times must list at least 2 flow times (N + 1 for N steps), got ${JSON.stringify(times)}`);
  }
  times.forEach((t, i) => {
    if (typeof t !== 'number' || !(t >= 0 && t <= 1)) throw new SamplerError(`sampleFlowEuler: times[${i}] = ${t} is not in [0, 1]`);
    if (i > 0 && !(t < times[i - 1])) {
      throw new SamplerError(`sampleFlowEuler: times must be strictly decreasing, but times[${i}] = ${t} >= times[${i - 1}] = ${times[i - 1]}`);
    }
  });
  if (isDenoiser && times[0] === 1) {
    throw new SamplerError(
      'sampleFlowEuler: times[0] = 1 is sigma = Infinity, which an EDM denoiser cannot take; start below 1 ' +
        '(e.g. sigmaToFlowTime(80), see flowStartFromEdm) or pass a { velocity } network',
    );
  }
}
