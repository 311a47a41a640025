import { z } from 'zod';
import { parseParams, PositiveSchema, StepsSchema } from './params';

/**
 * Parameters of the EDM (Karras et al. 2022) sigma discretization.
 *
 * @remarks
 * Defaults are EDM's: sigmaMin 0.002, sigmaMax 80, rho 7.
 */
export const KarrasSigmaParamsSchema = z
  .object({
    /** Number of sampling steps N (sigma intervals); the result has N + 1 entries. */
    steps: StepsSchema,
    sigmaMin: PositiveSchema.default(0.002),
    sigmaMax: PositiveSchema.default(80),
    rho: PositiveSchema.default(7),
  })
  .refine((p) => p.sigmaMin < p.sigmaMax, { message: 'must be < sigmaMax', path: ['sigmaMin'] });

/** What callers pass to {@link karrasSigmas} (defaults optional). */
export type KarrasSigmaParams = z.input<typeof KarrasSigmaParamsSchema>;

/**
 * EDM / Karras sigma steps: N sigmas from sigmaMax down to sigmaMin, spaced
 * uniformly in sigma^(1/rho), followed by a final 0.
 *
 * t_i = (sigmaMax^(1/rho) + i/(N-1) * (sigmaMin^(1/rho) - sigmaMax^(1/rho)))^rho, i = 0..N-1, t_N = 0.
 *
 * @param params - see {@link KarrasSigmaParamsSchema}; `steps` = N is the number of
 *   sampling steps (intervals), so the returned list has N + 1 entries.
 * @returns strictly decreasing sigmas `[t_0 = sigmaMax, ..., t_{N-1} = sigmaMin, 0]`;
 *   with steps = 1, `[sigmaMax, 0]`.
 * @throws {@link ScheduleParamError} on bad parameters (e.g. sigmaMin >= sigmaMax).
 */
export function karrasSigmas(params: KarrasSigmaParams): number[] {
  const { steps, sigmaMin, sigmaMax, rho } = parseParams(KarrasSigmaParamsSchema, params, 'KarrasSigmaParams');
  if (steps === 1) return [sigmaMax, 0];
  const maxInvRho = Math.pow(sigmaMax, 1 / rho);
  const minInvRho = Math.pow(sigmaMin, 1 / rho);
  const sigmas: number[] = [];
  for (let i = 0; i < steps; i++) {
    sigmas.push(Math.pow(maxInvRho + (i / (steps - 1)) * (minInvRho - maxInvRho), rho));
  }
  // x^(1/rho)^rho drifts by a few ulps; pinning the ends makes sigmaMax and sigmaMin
  // exact so that callers can compare against them (e.g. "is this the first step?").
  sigmas[0] = sigmaMax;
  sigmas[steps - 1] = sigmaMin;
  sigmas.push(0);
  return sigmas;
}
