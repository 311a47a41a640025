import { Rng } from '@lowdiff/backend';
import { describe, expect, it } from 'vitest';
import { ExtractorMismatchError, FeatureStats, fid, formatScore, frechetDistance, mergeStats } from '../src/index';
import { expectRelClose, gaussianSamples, randomRotation, rotatedDiagonal } from './helpers';

const NAME = 'toy-extractor';
const moments = (mean: number[], covariance: ArrayLike<number>, count = 10_000) =>
  FeatureStats.fromMoments({ extractor: NAME, mean, covariance, count });
const sqDist = (a: number[], b: number[]) => a.reduce((s, v, i) => s + (v - b[i]) ** 2, 0);

/** Tr((S1 S2)^½) for 2x2 PSD S1, S2: with eigenvalues l1, l2 >= 0 of S1 S2, (√l1 + √l2)² = tr + 2√det. */
function traceSqrt2x2(s1: number[], s2: number[]): number {
  const p = [s1[0] * s2[0] + s1[1] * s2[2], s1[0] * s2[1] + s1[1] * s2[3], s1[2] * s2[0] + s1[3] * s2[2], s1[2] * s2[1] + s1[3] * s2[3]];
  return Math.sqrt(p[0] + p[3] + 2 * Math.sqrt(p[0] * p[3] - p[1] * p[2]));
}

describe('fid', () => {
  it('is ~0 for identical sets', () => {
    const data = new Rng(1).normalArray(500 * 64, 0.3, 2);
    const a = new FeatureStats(NAME, 64).add(data);
    const b = new FeatureStats(NAME, 64).add(data);
    expect(fid({ real: a, generated: b }).value).toBeLessThan(1e-10);
    expect(fid({ real: a, generated: a }).value).toBeLessThan(1e-10);
  });

  it('matches ||dmu||² + Σ(√a - √b)² for commuting covariances (shared eigenvectors)', () => {
    const q = randomRotation(new Rng(2), 8);
    const a = [4, 2.5, 1, 0.7, 0.3, 0.2, 0.05, 0.01];
    const b = [1, 3, 0.4, 0.7, 2, 0.1, 0.5, 0.02];
    const mu1 = [0, 1, 2, 3, 4, 5, 6, 7];
    const mu2 = [0.5, 1, 1, 3, 4, 5.5, 6, 7];
    const expected = sqDist(mu1, mu2) + a.reduce((s, v, i) => s + (Math.sqrt(v) - Math.sqrt(b[i])) ** 2, 0);
    const score = fid({ real: moments(mu1, rotatedDiagonal(q, a)), generated: moments(mu2, rotatedDiagonal(q, b)) });
    expectRelClose(score.value, expected, 1e-11);
  });

  it('matches the 2x2 closed form for non-commuting covariances', () => {
    const s1 = [2, 0.5, 0.5, 1];
    const s2 = [1, -0.3, -0.3, 3];
    const mu1 = [1, -1];
    const mu2 = [0, 0.5];
    const expected = sqDist(mu1, mu2) + 3 + 4 - 2 * traceSqrt2x2(s1, s2);
    expectRelClose(fid({ real: moments(mu1, s1), generated: moments(mu2, s2) }).value, expected, 1e-13);
    expectRelClose(fid({ real: moments(mu2, s2), generated: moments(mu1, s1) }).value, expected, 1e-13);
  });

  it('matches d c + Tr S2 - 2√c Σ√b when S1 = cI and S2 is an arbitrary rotation of diag(b)', () => {
    const d = 10;
    const c = 1.7;
    const b = Array.from({ length: d }, (_, i) => 0.1 + i * 0.37);
    const s2 = rotatedDiagonal(randomRotation(new Rng(3), d), b);
    const s1 = Array.from({ length: d * d }, (_, k) => (k % (d + 1) === 0 ? c : 0));
    const mu = new Array<number>(d).fill(0);
    const expected = d * c + b.reduce((s, v) => s + v, 0) - 2 * Math.sqrt(c) * b.reduce((s, v) => s + Math.sqrt(v), 0);
    expectRelClose(fid({ real: moments(mu, s1), generated: moments(mu, s2) }).value, expected, 1e-11);
  });

  it('stays finite and correct for singular covariances (eigenvalues clamped at 0)', () => {
    const q = randomRotation(new Rng(4), 4);
    const a = [4, 1, 0, 0];
    const b = [1, 0, 2, 0];
    const zero = [0, 0, 0, 0];
    const score = fid({ real: moments(zero, rotatedDiagonal(q, a)), generated: moments(zero, rotatedDiagonal(q, b)) });
    // (2-1)² + (1-0)² + (0-√2)² + 0 = 4; the square root of rounding-level eigenvalues limits accuracy to ~1e-8.
    expect(Math.abs(score.value - 4)).toBeLessThan(1e-6);
  });

  it('estimates the closed form from 100000 Gaussian samples per set', () => {
    const rng = new Rng(5);
    // Cholesky factors of s1 = [[2, .5], [.5, 1]] and s2 = [[1, -.3], [-.3, 3]].
    const l1 = [Math.SQRT2, 0, 0.5 / Math.SQRT2, Math.sqrt(1 - 0.125)];
    const l2 = [1, 0, -0.3, Math.sqrt(3 - 0.09)];
    const mu1 = [1, -1];
    const mu2 = [0, 0.5];
    const expected = sqDist(mu1, mu2) + 3 + 4 - 2 * traceSqrt2x2([2, 0.5, 0.5, 1], [1, -0.3, -0.3, 3]);
    const n = 100_000;
    const real = new FeatureStats(NAME, 2).add(gaussianSamples(rng, n, mu1, l1));
    const generated = new FeatureStats(NAME, 2).add(gaussianSamples(rng, n, mu2, l2));
    const score = fid({ real, generated });
    // The mean term alone has sampling std 2 sqrt(dmuᵀ (S1 + S2) dmu / n) = 2 sqrt(11.4 / 1e5) = 0.021
    // (measured over 8 seeds: ~0.025 in all), so 0.08 is > 3 std; dropping or doubling any term moves the value by > 3.
    expect(Math.abs(score.value - expected), `${score.value} vs ${expected}`).toBeLessThan(0.08);
    expect(score.warnings).toEqual([]);
  });

  it('refuses statistics of different extractors or dimensions', () => {
    const a = moments([0, 0], [1, 0, 0, 1]);
    const other = FeatureStats.fromMoments({ extractor: 'inception-v3-pool3', mean: [0, 0], covariance: [1, 0, 0, 1], count: 10 });
    expect(() => fid({ real: a, generated: other })).toThrow(ExtractorMismatchError);
    expect(() => fid({ real: a, generated: other })).toThrow(/'inception-v3-pool3' with features of 'toy-extractor'/);
    expect(() => fid({ real: a, generated: moments([0, 0, 0], [1, 0, 0, 0, 1, 0, 0, 0, 1]) })).toThrow(/dimensions differ \(3 vs 2\)/);
  });

  it('warns (without printing) when a set has fewer samples than feature dimensions', () => {
    const rng = new Rng(6);
    const small = new FeatureStats(NAME, 16).add(rng.normalArray(10 * 16));
    const large = new FeatureStats(NAME, 16).add(rng.normalArray(400 * 16));
    const score = fid({ real: large, generated: small });
    expect(score.warnings).toHaveLength(1);
    expect(score.warnings[0]).toMatch(/generated statistics hold 10 samples, fewer than the feature dimension 16/);
    expect(Number.isFinite(score.value)).toBe(true);
    expect(fid({ real: large, generated: mergeStats(small, large) }).warnings).toEqual([]);
  });

  it('scores carry the extractor and counts, and format with them', () => {
    const score = fid({ real: moments([0], [1], 600), generated: moments([1], [4], 50) });
    expect(score).toMatchObject({ name: 'fid', extractor: NAME, count: 50, referenceCount: 600 });
    expectRelClose(score.value, 1 + (2 - 1) ** 2, 1e-14);
    expect(formatScore(score, 2)).toBe('fid[toy-extractor, n=50 vs 600] = 2.00');
  });

  it('frechetDistance reports the parts and rejects mismatched sizes', () => {
    const r = frechetDistance([0, 0], [1, 0, 0, 1], [3, 4], [4, 0, 0, 9]);
    expect(r.meanTerm).toBe(25);
    expectRelClose(r.traceSqrtProduct, 5, 1e-14);
    expectRelClose(r.value, 25 + 2 + 13 - 10, 1e-14);
    expect(() => frechetDistance([0], [1], [0, 0], [1, 0, 0, 1])).toThrow(/mean lengths differ/);
    expect(() => frechetDistance([0], [Number.NaN], [0], [1])).toThrow(/cov1: value at index 0 is NaN/);
  });
});
