import { z } from 'zod';
import type { NoiseSource, SolverOptions } from './denoiser';

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
