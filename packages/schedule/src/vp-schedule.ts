import { z } from 'zod';
import { parseParams, StepsSchema } from './params';

// Variance-preserving schedules expressed as EDM sigmas (sigma = sigma_vp / alpha), so that
// an EDM sampler can run them unchanged. Both lists are uniform in t, as EDM's VP baseline is.

/** Coefficients of the linear-beta VP schedule (DDPM / Song et al.), EDM's defaults. */
export const VpLinearCoefficientsSchema = z.object({
  betaMin: z.number().min(0, 'must be >= 0').default(0.1),
  betaD: z.number().positive('must be > 0').default(19.9),
});

/** What callers pass to {@link vpLinearSigma} (defaults optional). */
export type VpLinearCoefficients = z.input<typeof VpLinearCoefficientsSchema>;

/** Parameters of {@link vpLinearSigmas}: the coefficients plus steps and the end time epsS. */
export const VpLinearSigmaParamsSchema = VpLinearCoefficientsSchema.extend({
  /** Number of sampling steps N (sigma intervals); the result has N + 1 entries. */
  steps: StepsSchema,
  /** Last time before 0; EDM uses 1e-3 (the integral diverges in log-sigma at t = 0). */
  epsS: z.number().gt(0, 'must be > 0').lt(1, 'must be < 1').default(1e-3),
});

/** What callers pass to {@link vpLinearSigmas} (defaults optional). */
export type VpLinearSigmaParams = z.input<typeof VpLinearSigmaParamsSchema>;

const TimeSchema = z.number().min(0, 'must be >= 0').max(1, 'must be <= 1');

/**
 * EDM sigma of the linear VP schedule at time t in [0, 1]:
 * sigma(t) = sqrt(exp(betaD * t^2 / 2 + betaMin * t) - 1).
 *
 * @param t - diffusion time in [0, 1]
 * @param coefficients - betaMin (default 0.1) and betaD (default 19.9)
 */
export function vpLinearSigma(t: number, coefficients: VpLinearCoefficients = {}): number {
  const { betaMin, betaD } = parseParams(VpLinearCoefficientsSchema, coefficients, 'VpLinearCoefficients');
  parseParams(z.object({ t: TimeSchema }), { t }, 'vpLinearSigma');
  return linearSigma(t, betaMin, betaD);
}

function linearSigma(t: number, betaMin: number, betaD: number): number {
  // expm1 keeps relative precision for small t, where exp(x) - 1 would cancel.
  return Math.sqrt(Math.expm1(0.5 * betaD * t * t + betaMin * t));
}

/**
 * EDM's VP discretization: N times uniform from t = 1 down to epsS, mapped through
 * {@link vpLinearSigma}, followed by a final 0 (k-diffusion's `get_sigmas_vp`).
 *
 * With the defaults the list starts near 152.2 and its last non-zero entry is near 0.0105.
 *
 * @returns N + 1 strictly decreasing sigmas ending in 0; with steps = 1, `[sigma(1), 0]`.
 * @throws {@link ScheduleParamError} on bad parameters.
 */
export function vpLinearSigmas(params: VpLinearSigmaParams): number[] {
  const { steps, betaMin, betaD, epsS } = parseParams(VpLinearSigmaParamsSchema, params, 'VpLinearSigmaParams');
  return uniformTimes(1, epsS, steps).map((t) => linearSigma(t, betaMin, betaD)).concat(0);
}

/** Offset s of the cosine schedule (Nichol and Dhariwal 2021). */
export const VpCosineCoefficientsSchema = z.object({
  /** Keeps alpha_bar from starting too close to 1, so that the first steps are not too small. */
  s: z.number().min(0, 'must be >= 0').default(0.008),
});

/** What callers pass to {@link vpCosineAlphaBar} and {@link vpCosineSigma} (defaults optional). */
export type VpCosineCoefficients = z.input<typeof VpCosineCoefficientsSchema>;

/**
 * Parameters of {@link vpCosineSigmas}.
 *
 * @remarks
 * At t = 1 the cosine schedule has alpha_bar = 0 and sigma = infinity, so the list
 * starts at tMax < 1 instead. The default tMax = 0.9946 is DPM-Solver's choice for
 * this schedule (sigma(tMax) is about 119 with s = 0.008, comparable to EDM's 80 and
 * the linear VP's 152). tMin = 1e-3 matches epsS of the linear schedule.
 */
export const VpCosineSigmaParamsSchema = VpCosineCoefficientsSchema.extend({
  /** Number of sampling steps N (sigma intervals); the result has N + 1 entries. */
  steps: StepsSchema,
  tMin: z.number().gt(0, 'must be > 0').default(1e-3),
  tMax: z.number().lt(1, 'must be < 1 (sigma is infinite at t = 1)').default(0.9946),
}).refine((p) => p.tMin < p.tMax, { message: 'must be < tMax', path: ['tMin'] });

/** What callers pass to {@link vpCosineSigmas} (defaults optional). */
export type VpCosineSigmaParams = z.input<typeof VpCosineSigmaParamsSchema>;

/**
 * alpha_bar of the cosine schedule at time t in [0, 1]:
 * cos^2((t + s)/(1 + s) * pi/2) / cos^2(s/(1 + s) * pi/2).
 */
export function vpCosineAlphaBar(t: number, coefficients: VpCosineCoefficients = {}): number {
  const { s } = parseParams(VpCosineCoefficientsSchema, coefficients, 'VpCosineCoefficients');
  parseParams(z.object({ t: TimeSchema }), { t }, 'vpCosineAlphaBar');
  const theta = ((t + s) / (1 + s)) * (Math.PI / 2);
  const theta0 = (s / (1 + s)) * (Math.PI / 2);
  return (Math.cos(theta) / Math.cos(theta0)) ** 2;
}

/**
 * EDM sigma of the cosine schedule at time t in [0, 1): sqrt((1 - alpha_bar) / alpha_bar).
 * Infinite at t = 1.
 */
export function vpCosineSigma(t: number, coefficients: VpCosineCoefficients = {}): number {
  const { s } = parseParams(VpCosineCoefficientsSchema, coefficients, 'VpCosineCoefficients');
  parseParams(z.object({ t: TimeSchema }), { t }, 'vpCosineSigma');
  return cosineSigma(t, s);
}

function cosineSigma(t: number, s: number): number {
  const theta = ((t + s) / (1 + s)) * (Math.PI / 2);
  const theta0 = (s / (1 + s)) * (Math.PI / 2);
  // 1 - alpha_bar cancels badly near t = 0; cos^2(a) - cos^2(b) = sin(b + a) sin(b - a)
  // gives sigma^2 = sin(theta + theta0) sin(theta - theta0) / cos^2(theta) without it.
  return Math.sqrt(Math.sin(theta + theta0) * Math.sin(theta - theta0)) / Math.cos(theta);
}

/**
 * The cosine VP schedule as EDM sigmas: N times uniform from tMax down to tMin,
 * mapped through {@link vpCosineSigma}, followed by a final 0.
 *
 * @returns N + 1 strictly decreasing sigmas ending in 0; with steps = 1, `[sigma(tMax), 0]`.
 * @throws {@link ScheduleParamError} on bad parameters.
 */
export function vpCosineSigmas(params: VpCosineSigmaParams): number[] {
  const { steps, s, tMin, tMax } = parseParams(VpCosineSigmaParamsSchema, params, 'VpCosineSigmaParams');
  return uniformTimes(tMax, tMin, steps).map((t) => cosineSigma(t, s)).concat(0);
}

function uniformTimes(from: number, to: number, steps: number): number[] {
  if (steps === 1) return [from];
  return Array.from({ length: steps }, (_, i) => from + (i / (steps - 1)) * (to - from));
}
