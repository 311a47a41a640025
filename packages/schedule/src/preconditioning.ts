import { z } from 'zod';
import { parseParams, PositiveSchema } from './params';

/** Standard deviation of the data, sigma_data; EDM uses 0.5 for images in [-1, 1]. */
export const SigmaDataSchema = PositiveSchema.default(0.5);

// sigma must be > 0: c_noise = ln(sigma) / 4 is -infinity at 0, and a sampler never
// evaluates the network there (the last step lands on 0 without a call).
const PreconditioningArgsSchema = z.object({ sigma: PositiveSchema, sigmaData: SigmaDataSchema });

/**
 * EDM preconditioning coefficients: the denoiser is D(x; sigma) = cSkip x + cOut F(cIn x, cNoise).
 */
export interface EdmPreconditioning {
  /** sigma_data^2 / (sigma^2 + sigma_data^2): how much of the noisy input passes through. */
  cSkip: number;
  /** sigma sigma_data / sqrt(sigma^2 + sigma_data^2): scale of the network output. */
  cOut: number;
  /** 1 / sqrt(sigma^2 + sigma_data^2): gives the network an input of unit variance. */
  cIn: number;
  /** ln(sigma) / 4: the noise level as the network sees it. */
  cNoise: number;
}

/**
 * EDM preconditioning (Karras et al. 2022, table 1) at noise level sigma.
 *
 * @remarks
 * These are chosen so that the network's input and its training target both have unit
 * variance, and so that the network's error is amplified as little as possible (cOut is
 * minimal): at low noise the skip path carries the image, at high noise the network does.
 *
 * @param sigma - noise level, > 0
 * @param sigmaData - data standard deviation, > 0 (default 0.5)
 * @throws {@link ScheduleParamError} naming `sigma` or `sigmaData` when either is not > 0.
 */
export function edmPreconditioning(sigma: number, sigmaData = 0.5): EdmPreconditioning {
  const p = parseParams(PreconditioningArgsSchema, { sigma, sigmaData }, 'edmPreconditioning');
  const sd2 = p.sigmaData * p.sigmaData;
  const total2 = p.sigma * p.sigma + sd2;
  const norm = Math.sqrt(total2);
  return {
    cSkip: sd2 / total2,
    cOut: (p.sigma * p.sigmaData) / norm,
    cIn: 1 / norm,
    cNoise: Math.log(p.sigma) / 4,
  };
}

/**
 * EDM loss weight lambda(sigma) = (sigma^2 + sigma_data^2) / (sigma sigma_data)^2.
 *
 * @remarks
 * It equals 1 / cOut^2, so that the loss on the denoiser output D equals the plain
 * MSE on the network output F against its unit-variance target: every noise level
 * contributes equally at initialisation.
 *
 * @throws {@link ScheduleParamError} naming `sigma` or `sigmaData` when either is not > 0.
 */
export function edmLossWeight(sigma: number, sigmaData = 0.5): number {
  const p = parseParams(PreconditioningArgsSchema, { sigma, sigmaData }, 'edmLossWeight');
  return (p.sigma * p.sigma + p.sigmaData * p.sigmaData) / (p.sigma * p.sigmaData) ** 2;
}
