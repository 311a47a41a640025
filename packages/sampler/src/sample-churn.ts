import * as tf from '@tensorflow/tfjs';
import { ChurnParamsSchema, type ChurnOptions } from './churn-params';
import type { Denoiser, NoiseSource, SolverResult } from './denoiser';
import { heunStep } from './heun-step';
import { SamplerError } from './sampler-error';
import { runSteps } from './step-loop';

/**
 * EDM's stochastic sampler (Algorithm 2): before each step inside [sTmin, sTmax] the sample is
 * noised from sigma up to sigma_hat = sigma (1 + gamma), then a Heun step (Euler into 0) goes from
 * sigma_hat to the next sigma. Adding and removing noise corrects errors of earlier steps.
 *
 * @returns nfe = 2N - 1 for a sigma list ending in 0, like {@link sampleHeun}
 */
export function sampleChurn(denoiser: Denoiser, x: tf.Tensor4D, sigmas: readonly number[], options: ChurnOptions = {}): Promise<SolverResult> {
  const parsed = ChurnParamsSchema.safeParse({ sChurn: options.sChurn, sTmin: options.sTmin, sTmax: options.sTmax, sNoise: options.sNoise });
  if (!parsed.success) return Promise.reject(new SamplerError(`sampleChurn: ${parsed.error.issues.map((e) => `${e.path.join('.')}: ${e.message}`).join('; ')}`));
  const { sChurn, sTmin, sTmax, sNoise } = parsed.data;
  const steps = sigmas.length - 1;
  return runSteps('sampleChurn', denoiser, x, sigmas, options.callback, {
    lift: (current, _i, sigma) => {
      const gamma = sigma >= sTmin && sigma <= sTmax ? Math.min(sChurn / steps, Math.SQRT2 - 1) : 0;
      const sigmaHat = sigma * (1 + gamma);
      return gamma > 0 ? { x: churn(current, sigma, sigmaHat, sNoise, options.noise), sigma: sigmaHat } : null;
    },
    update: heunStep,
  });
}

// x_hat = x + sqrt(sigma_hat^2 - sigma^2) * S_noise * eps lifts the noise level from sigma to sigma_hat.
function churn(x: tf.Tensor4D, sigma: number, sigmaHat: number, sNoise: number, noise: NoiseSource | undefined): tf.Tensor4D {
  if (!noise) throw new SamplerError('sampleChurn: a noise source is required when a step churns (sChurn > 0 inside [sTmin, sTmax])');
  const eps = noise(x.shape);
  try {
    if (eps.shape.join() !== x.shape.join()) {
      throw new SamplerError(`sampleChurn: the noise source returned shape [${eps.shape}] for [${x.shape}]`);
    }
    return tf.tidy(() => tf.add(x, tf.mul(eps, Math.sqrt(sigmaHat * sigmaHat - sigma * sigma) * sNoise)));
  } finally {
    eps.dispose();
  }
}
