import { z } from 'zod';
import { parseParams } from './params';

// Every schedule in this package is expressed in EDM's sigma, x = x0 + sigma eps. These
// conversions connect it to the other parameterisations; all of them agree on the
// signal-to-noise ratio 1/sigma^2 and differ only in how x is scaled. The ends of each
// range are allowed (sigma = 0 and sigma = Infinity, alpha_bar = 0, flow time 1) because
// schedules do reach them; NaN never is.

const sigmaArg = z.custom<number>((v) => typeof v === 'number' && v >= 0, 'must be a number >= 0 (Infinity allowed)');
const unitArg = z.custom<number>((v) => typeof v === 'number' && v >= 0 && v <= 1, 'must be a number in [0, 1]');
const logSnrArg = z.custom<number>((v) => typeof v === 'number' && !Number.isNaN(v), 'must be a number (not NaN)');

/**
 * alpha_bar (VP signal fraction, DDPM's cumulative product) at EDM noise level sigma:
 * 1 / (1 + sigma^2).
 */
export function sigmaToAlphaBar(sigma: number): number {
  parseParams(z.object({ sigma: sigmaArg }), { sigma }, 'sigmaToAlphaBar');
  return 1 / (1 + sigma * sigma);
}

/**
 * EDM sigma from a VP alpha_bar in [0, 1]: sqrt((1 - alpha_bar) / alpha_bar).
 * alpha_bar = 0 gives Infinity. Inverse of {@link sigmaToAlphaBar}; near alpha_bar = 1
 * the relative precision of the result is limited to about 1e-16 / sigma^2, because
 * alpha_bar itself cannot hold more.
 */
export function alphaBarToSigma(alphaBar: number): number {
  parseParams(z.object({ alphaBar: unitArg }), { alphaBar }, 'alphaBarToSigma');
  return Math.sqrt((1 - alphaBar) / alphaBar);
}

/** A VP coefficient pair: x_vp = alpha x0 + sigma eps, with alpha^2 + sigma^2 = 1. */
export interface VpPair {
  /** Signal coefficient, sqrt(alpha_bar). */
  alpha: number;
  /** VP noise coefficient, sqrt(1 - alpha_bar) (not the EDM sigma). */
  sigma: number;
}

/**
 * VP pair at EDM noise level sigma: alpha = 1 / sqrt(1 + sigma^2),
 * sigma_vp = sigma / sqrt(1 + sigma^2). sigma = Infinity gives { alpha: 0, sigma: 1 }.
 */
export function sigmaToVp(sigma: number): VpPair {
  parseParams(z.object({ sigma: sigmaArg }), { sigma }, 'sigmaToVp');
  if (sigma === Infinity) return { alpha: 0, sigma: 1 };
  // hypot rather than sqrt(1 + sigma^2), which overflows for sigma above ~1e154.
  const norm = Math.hypot(1, sigma);
  return { alpha: 1 / norm, sigma: sigma / norm };
}

/**
 * EDM sigma from a VP pair: sigma_vp / alpha. Inverse of {@link sigmaToVp}.
 *
 * @remarks
 * Only the ratio matters, so a pair that is not normalised (alpha^2 + sigma^2 != 1,
 * e.g. a sub-VP or scaled schedule) still gives the sigma with the same SNR.
 */
export function vpToSigma(vp: VpPair): number {
  const { alpha, sigma } = parseParams(
    z
      .object({ alpha: sigmaArg, sigma: sigmaArg })
      .refine((p) => p.alpha > 0 || p.sigma > 0, { message: 'alpha and sigma cannot both be 0', path: ['alpha'] }),
    vp,
    'vpToSigma',
  );
  return sigma / alpha;
}

/** Log signal-to-noise ratio lambda = ln(1 / sigma^2) = -2 ln(sigma), as used by DPM-Solver. */
export function sigmaToLogSnr(sigma: number): number {
  parseParams(z.object({ sigma: sigmaArg }), { sigma }, 'sigmaToLogSnr');
  return -2 * Math.log(sigma);
}

/** EDM sigma from log-SNR: exp(-lambda / 2). Inverse of {@link sigmaToLogSnr}. */
export function logSnrToSigma(logSnr: number): number {
  parseParams(z.object({ logSnr: logSnrArg }), { logSnr }, 'logSnrToSigma');
  return Math.exp(-logSnr / 2);
}

/**
 * Rectified-flow time at EDM noise level sigma: t = sigma / (1 + sigma).
 *
 * @remarks
 * Flow uses x_t = (1 - t) x0 + t eps; dividing the EDM x = x0 + sigma eps by 1 + sigma
 * gives exactly that form, so the SNR matches when t / (1 - t) = sigma.
 */
export function sigmaToFlowTime(sigma: number): number {
  parseParams(z.object({ sigma: sigmaArg }), { sigma }, 'sigmaToFlowTime');
  if (sigma === Infinity) return 1;
  return sigma / (1 + sigma);
}

/** EDM sigma at rectified-flow time t in [0, 1]: t / (1 - t); t = 1 gives Infinity. */
export function flowTimeToSigma(t: number): number {
  parseParams(z.object({ t: unitArg }), { t }, 'flowTimeToSigma');
  return t / (1 - t);
}

/**
 * Factor that turns an EDM sample into a flow sample at the same SNR:
 * x_flow = x_edm / (1 + sigma), i.e. the returned 1 / (1 + sigma).
 */
export function edmToFlowScale(sigma: number): number {
  parseParams(z.object({ sigma: sigmaArg }), { sigma }, 'edmToFlowScale');
  return 1 / (1 + sigma);
}

/**
 * Factor that turns an EDM sample into a VP sample at the same SNR:
 * x_vp = alpha x_edm, i.e. the returned alpha = 1 / sqrt(1 + sigma^2).
 */
export function edmToVpScale(sigma: number): number {
  parseParams(z.object({ sigma: sigmaArg }), { sigma }, 'edmToVpScale');
  return 1 / Math.hypot(1, sigma);
}
