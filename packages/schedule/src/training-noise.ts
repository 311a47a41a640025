import { z } from 'zod';
import { standardNormalCdf, standardNormalPdf, standardNormalQuantile, OpenUnitSchema } from './normal';
import { parseParams, PositiveSchema } from './params';

// EDM trains on ln(sigma) ~ N(P_mean, P_std^2): most samples land at the middle noise
// levels where the loss can still be reduced, few at the extremes where it cannot
// (pure noise, or noise below the data's quantisation). This package draws no random
// numbers: callers pass normal or uniform draws from their own seeded generator.

/** Log-normal training noise distribution, ln(sigma) ~ N(pMean, pStd^2); EDM's defaults. */
export const LogNormalNoiseSchema = z.object({
  pMean: z.number().default(-1.2),
  pStd: PositiveSchema.default(1.2),
});

/** What callers pass to the training-noise functions (defaults optional). */
export type LogNormalNoise = z.input<typeof LogNormalNoiseSchema>;

/** The same distribution with defaults filled in. */
export type ResolvedLogNormalNoise = z.output<typeof LogNormalNoiseSchema>;

const NormalDrawSchema = z.number();

/**
 * Maps a standard normal draw z to a training sigma: exp(pMean + pStd z).
 *
 * @param params - pMean (default -1.2), pStd (default 1.2)
 * @param normal - a draw from N(0, 1); z = 0 gives the median, exp(pMean)
 * @throws {@link ScheduleParamError} on bad parameters or a non-finite draw.
 */
export function sampleTrainingSigma(params: LogNormalNoise, normal: number): number {
  const { pMean, pStd } = parseParams(LogNormalNoiseSchema, params, 'LogNormalNoise');
  parseParams(z.object({ normal: NormalDrawSchema }), { normal }, 'sampleTrainingSigma');
  return Math.exp(pMean + pStd * normal);
}

/**
 * A batch of training sigmas, exp(pMean + pStd z) for each draw: the parameters are validated
 * once per batch (not once per draw), and the draws must be finite.
 *
 * @throws {@link ScheduleParamError} on bad parameters or a non-finite draw.
 */
export function trainingSigmas(params: LogNormalNoise, normals: ArrayLike<number>): Float32Array {
  const { pMean, pStd } = parseParams(LogNormalNoiseSchema, params, 'LogNormalNoise');
  const out = new Float32Array(normals.length);
  for (let i = 0; i < normals.length; i++) {
    if (!Number.isFinite(normals[i])) parseParams(z.object({ normal: z.number().finite() }), { normal: normals[i] }, `trainingSigmas[${i}]`);
    out[i] = Math.exp(pMean + pStd * normals[i]);
  }
  return out;
}

/**
 * Inverse-CDF form: the training sigma at quantile u, exp(pMean + pStd Phi^-1(u)).
 * Monotone increasing in u; handy for stratified sampling (one u per batch slot) and
 * for reading off noise-level percentiles.
 *
 * @param u - a uniform draw strictly inside (0, 1)
 * @throws {@link ScheduleParamError} naming `u` when u is not in (0, 1).
 */
export function trainingSigmaFromUniform(params: LogNormalNoise, u: number): number {
  const { pMean, pStd } = parseParams(LogNormalNoiseSchema, params, 'LogNormalNoise');
  parseParams(z.object({ u: OpenUnitSchema }), { u }, 'trainingSigmaFromUniform');
  return Math.exp(pMean + pStd * standardNormalQuantile(u));
}

/**
 * Distribution function of the training sigma: P(sigma' <= sigma). The inverse of
 * {@link trainingSigmaFromUniform}.
 *
 * @param sigma - noise level >= 0
 */
export function trainingSigmaCdf(params: LogNormalNoise, sigma: number): number {
  const { pMean, pStd } = parseParams(LogNormalNoiseSchema, params, 'LogNormalNoise');
  parseParams(z.object({ sigma: z.number().min(0, 'must be >= 0') }), { sigma }, 'trainingSigmaCdf');
  if (sigma === 0) return 0;
  return standardNormalCdf((Math.log(sigma) - pMean) / pStd);
}

/**
 * Probability density of ln(sigma) under the training distribution, i.e. the normal
 * density N(lnSigma; pMean, pStd^2). Useful to plot how training effort is spread
 * over noise levels, or to reweight losses when changing the distribution.
 *
 * @param lnSigma - natural log of the noise level
 */
export function logSigmaPdf(params: LogNormalNoise, lnSigma: number): number {
  const { pMean, pStd } = parseParams(LogNormalNoiseSchema, params, 'LogNormalNoise');
  parseParams(z.object({ lnSigma: z.number() }), { lnSigma }, 'logSigmaPdf');
  return standardNormalPdf((lnSigma - pMean) / pStd) / pStd;
}

/**
 * Training noise distribution for one resolution of the cascade.
 *
 * @remarks
 * A low-resolution image has fewer, more averaged pixels, so the same sigma destroys
 * less of it; a per-resolution P_mean lets each stage train where its loss is reducible.
 * The defaults are EDM's for every resolution; the paper does not publish its values.
 */
export const ResolutionNoiseSchema = LogNormalNoiseSchema.extend({
  resolution: z.number().int('must be an integer').positive('must be > 0'),
});

/** What callers pass as one row of a per-resolution table (defaults optional). */
export type ResolutionNoise = z.input<typeof ResolutionNoiseSchema>;

/** One row with defaults filled in. */
export type ResolvedResolutionNoise = z.output<typeof ResolutionNoiseSchema>;

/** A non-empty per-resolution table with each resolution listed once. */
export const ResolutionNoiseTableSchema = z
  .array(ResolutionNoiseSchema)
  .min(1, 'must list at least one resolution')
  .superRefine((rows, ctx) => {
    const seen = new Set<number>();
    rows.forEach((row, i) => {
      if (seen.has(row.resolution)) {
        ctx.addIssue({ code: 'custom', message: `resolution ${row.resolution} is listed twice`, path: [i, 'resolution'] });
      }
      seen.add(row.resolution);
    });
  });

/** What callers pass as a per-resolution table. */
export type ResolutionNoiseTable = z.input<typeof ResolutionNoiseTableSchema>;

/**
 * Picks the training noise parameters for a resolution from a per-resolution table.
 *
 * @returns the table row (defaults filled in); it can be passed straight to
 *   {@link sampleTrainingSigma} and friends.
 * @throws {@link ScheduleParamError} when the table is invalid, or when it has no row
 *   for `resolution` (the message lists the resolutions it does have).
 */
export function noiseParamsFor(resolution: number, table: ResolutionNoiseTable): ResolvedResolutionNoise {
  const rows = parseParams(ResolutionNoiseTableSchema, table, 'ResolutionNoiseTable');
  const have = rows.map((r) => r.resolution).join(', ');
  const lookup = z.object({
    resolution: z
      .number()
      .int('must be an integer')
      .refine((r) => rows.some((row) => row.resolution === r), {
        message: `no noise parameters for resolution ${resolution} (table has ${have})`,
      }),
  });
  parseParams(lookup, { resolution }, 'noiseParamsFor');
  return rows.find((row) => row.resolution === resolution) as ResolvedResolutionNoise;
}
