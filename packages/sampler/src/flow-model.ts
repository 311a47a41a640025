import * as tf from '@tensorflow/tfjs';
import { edmToFlowScale, flowTimeToSigma, sigmaToFlowTime } from '@lowdiff/schedule';
import { callDenoiser, scopedCall, type Denoiser, type StepInfo } from './denoiser';
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

/** x0_hat at flow time t: the denoiser at the matching sigma, or x_t - t v. */
export async function predictClean(model: FlowModel, x: tf.Tensor4D, t: number): Promise<tf.Tensor4D> {
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

/** Flow times for {@link sampleFlowEuler}: strictly decreasing in [0, 1], below 1 for a denoiser. */
export function checkTimes(times: readonly number[], isDenoiser: boolean): void {
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
