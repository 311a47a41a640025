import { z } from 'zod';
import { parseParams } from './params';

// Standard normal helpers, in double precision, so that noise-level distributions can be
// driven by the caller's seeded generator (uniform or normal draws) with no RNG here.

const SQRT2PI = Math.sqrt(2 * Math.PI);

/** Density of the standard normal distribution at x. */
export function standardNormalPdf(x: number): number {
  return Math.exp(-0.5 * x * x) / SQRT2PI;
}

/**
 * Distribution function Phi(x) of the standard normal, to about 1e-15 relative for
 * |x| < 10 (in the far tail the error grows like 1e-16 x^2, from exp(-x^2/2)).
 *
 * @remarks
 * Uses the all-positive series erf(y) = 2/sqrt(pi) e^(-y^2) sum 2^n y^(2n+1) / (2n+1)!!
 * where erf is small (|y| < 0.75, so 1 - erf loses nothing) and a Lentz continued
 * fraction for erfc beyond, where 1 - erf would cancel away the tail.
 */
export function standardNormalCdf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const y = Math.abs(x) / Math.SQRT2;
  // Phi(x) = erfc(-x / sqrt2) / 2; compute the smaller tail directly, then reflect.
  const tail = 0.5 * erfc(y);
  return x < 0 ? tail : 1 - tail;
}

function erfc(y: number): number {
  if (y === Infinity) return 0;
  if (y < 0.75) return 1 - erfSeries(y);
  return erfcContinuedFraction(y);
}

function erfSeries(y: number): number {
  let term = y;
  let sum = y;
  for (let n = 1; n < 200 && term > sum * 1e-17; n++) {
    term *= (2 * y * y) / (2 * n + 1);
    sum += term;
  }
  return (2 / Math.sqrt(Math.PI)) * Math.exp(-y * y) * sum;
}

function erfcContinuedFraction(y: number): number {
  // erfc(y) = e^(-y^2)/sqrt(pi) * 1/(y + (1/2)/(y + 1/(y + (3/2)/(y + 2/(y + ...))))).
  const tiny = 1e-300;
  let f = y;
  let c = y;
  let d = 0;
  // Converges in at most a few hundred terms for y >= 0.75.
  for (let n = 1; n < 1000; n++) {
    const a = n / 2;
    d = y + a * d;
    d = d === 0 ? tiny : d;
    c = y + a / c;
    c = c === 0 ? tiny : c;
    d = 1 / d;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(-y * y) / (f * Math.sqrt(Math.PI));
}

/** A probability strictly inside (0, 1). */
export const OpenUnitSchema = z.number().gt(0, 'must be > 0').lt(1, 'must be < 1');

/**
 * Quantile (inverse CDF) of the standard normal: the x with Phi(x) = p.
 *
 * @remarks
 * Wichura's algorithm AS 241 (PPND16), accurate to about 1e-16 relative. p must be
 * strictly inside (0, 1) because the quantile is infinite at the ends; a uniform
 * generator that can return 0 should be shifted by half a step first.
 *
 * @throws {@link ScheduleParamError} naming `p` when p is not in (0, 1).
 */
export function standardNormalQuantile(p: number): number {
  parseParams(z.object({ p: OpenUnitSchema }), { p }, 'standardNormalQuantile');
  const q = p - 0.5;
  if (Math.abs(q) <= 0.425) {
    const r = 0.180625 - q * q;
    return (q * poly(A, r)) / poly(B, r);
  }
  let r = Math.sqrt(-Math.log(q < 0 ? p : 1 - p));
  let x: number;
  if (r <= 5) {
    r -= 1.6;
    x = poly(C, r) / poly(D, r);
  } else {
    r -= 5;
    x = poly(E, r) / poly(F, r);
  }
  return q < 0 ? -x : x;
}

function poly(coefficients: readonly number[], x: number): number {
  let acc = 0;
  for (let i = coefficients.length - 1; i >= 0; i--) acc = acc * x + coefficients[i];
  return acc;
}

// AS 241 coefficients, lowest order first.
const A = [
  3.387132872796366608, 133.14166789178437745, 1971.5909503065514427, 13731.693765509461125,
  45921.953931549871457, 67265.770927008700853, 33430.575583588128105, 2509.0809287301226727,
];
const B = [
  1, 42.313330701600911252, 687.1870074920579083, 5394.1960214247511077, 21213.794301586595867,
  39307.89580009271061, 28729.085735721942674, 5226.495278852854561,
];
const C = [
  1.42343711074968357734, 4.6303378461565452959, 5.7694972214606914055, 3.64784832476320460504,
  1.27045825245236838258, 0.24178072517745061177, 0.0227238449892691845833, 7.7454501427834140764e-4,
];
const D = [
  1, 2.05319162663775882187, 1.6763848301838038494, 0.68976733498510000455, 0.14810397642748007459,
  0.0151986665636164571966, 5.475938084995344946e-4, 1.05075007164441684324e-9,
];
const E = [
  6.6579046435011037772, 5.4637849111641143699, 1.7848265399172913358, 0.29656057182850489123,
  0.026532189526576123093, 0.0012426609473880784386, 2.71155556874348757815e-5, 2.01033439929228813265e-7,
];
const F = [
  1, 0.59983220655588793769, 0.13692988092273580531, 0.0148753612908506148525, 7.868691311456132591e-4,
  1.8463183175100546818e-5, 1.4215117583164458887e-7, 2.04426310338993978564e-15,
];
