import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import {
  advance,
  callDenoiser,
  checkImages,
  checkSigmas,
  type Denoiser,
  type NoiseSource,
  type SolverOptions,
  type SolverResult,
} from './denoiser';
import { heunStep } from './heun-step';
import { SamplerError } from './sampler-error';

/**
 * Stochastic-churn parameters of EDM's Algorithm 2. Defaults are EDM's ImageNet-64 setting
 * (S_churn 40, S_tmin 0.05, S_tmax 50, S_noise 1.003); S_churn = 0 turns churn off (plain Heun).
 */
export const ChurnParamsSchema = z
  .object({
    /** Total churn; each step inside [sTmin, sTmax] raises sigma by gamma = min(sChurn / N, sqrt(2) - 1). */
    sChurn: z.number().min(0, 'must be >= 0').default(40),
    sTmin: z.number().min(0, 'must be >= 0').default(0.05),
    sTmax: z.number().min(0, 'must be >= 0').default(50),
    /** Scale of the added noise; slightly above 1 offsets the detail lost to denoising. */
    sNoise: z.number().positive('must be > 0').default(1.003),
  })
  .refine((p) => p.sTmin <= p.sTmax, { message: 'must be <= sTmax', path: ['sTmin'] });

/** Churn parameters as callers pass them (every field optional). */
export type ChurnParams = z.input<typeof ChurnParamsSchema>;

/** Options of {@link sampleChurn}. */
export interface ChurnOptions extends SolverOptions, ChurnParams {
  /** Standard-normal noise, e.g. from `Rng`; required unless no step churns. */
  noise?: NoiseSource;
}

/**
 * EDM's stochastic sampler (Algorithm 2): before each step inside [sTmin, sTmax] the sample is
 * noised from sigma up to sigma_hat = sigma (1 + gamma), then a Heun step (Euler into 0) goes from
 * sigma_hat to the next sigma. Adding and removing noise corrects errors of earlier steps.
 *
 * @returns nfe = 2N - 1 for a sigma list ending in 0, like {@link sampleHeun}
 */
export async function sampleChurn(denoiser: Denoiser, x: tf.Tensor4D, sigmas: readonly number[], options: ChurnOptions = {}): Promise<SolverResult> {
  checkImages(x, 'sampleChurn');
  checkSigmas(sigmas, 'sampleChurn');
  const parsed = ChurnParamsSchema.safeParse({ sChurn: options.sChurn, sTmin: options.sTmin, sTmax: options.sTmax, sNoise: options.sNoise });
  if (!parsed.success) throw new SamplerError(`sampleChurn: ${parsed.error.issues.map((e) => `${e.path.join('.')}: ${e.message}`).join('; ')}`);
  const { sChurn, sTmin, sTmax, sNoise } = parsed.data;
  const steps = sigmas.length - 1;
  let current = x;
  let nfe = 0;
  try {
    for (let i = 0; i < steps; i++) {
      const sigma = sigmas[i];
      const sigmaNext = sigmas[i + 1];
      const gamma = sigma >= sTmin && sigma <= sTmax ? Math.min(sChurn / steps, Math.SQRT2 - 1) : 0;
      const sigmaHat = sigma * (1 + gamma);
      if (gamma > 0) current = advance(current, churn(current, sigma, sigmaHat, sNoise, options.noise), x);
      const denoised = await callDenoiser(denoiser, current, sigmaHat, 'sampleChurn');
      nfe++;
      try {
        options.callback?.({ i, sigma: sigmaHat, sigmaNext, x: current, denoised });
        const step = await heunStep(denoiser, current, denoised, sigmaHat, sigmaNext, 'sampleChurn');
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
