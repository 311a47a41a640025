import { Rng } from '@lowdiff/backend';
import { describe, expect, it } from 'vitest';
import { matmul, symmetricEigen, symmetricEigenvalues, tridiagonalEigenvalues } from '../src/linalg';
import { randomRotation, rotatedDiagonal } from './helpers';

function randomSymmetric(rng: Rng, d: number): Float64Array {
  const a = Float64Array.from(rng.normalArray(d * d));
  const s = new Float64Array(d * d);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) s[i * d + j] = a[i * d + j] + a[j * d + i];
  return s;
}

const sorted = (v: Float64Array) => Float64Array.from(v).sort();

describe('symmetricEigenvalues (Householder + Sturm bisection)', () => {
  it('agrees with ml-matrix on random symmetric (indefinite) matrices of several sizes', () => {
    const rng = new Rng(61);
    for (const d of [1, 2, 3, 7, 60]) {
      const s = randomSymmetric(rng, d);
      const ours = symmetricEigenvalues(s, d);
      const ref = sorted(symmetricEigen(s, d).values);
      const scale = Math.max(...ref.map(Math.abs));
      for (let k = 0; k < d; k++) expect(Math.abs(ours[k] - ref[k]) / scale, `d=${d} k=${k}`).toBeLessThan(1e-13);
    }
  });

  it('recovers known spectra with repeated and zero eigenvalues', () => {
    const rng = new Rng(62);
    const spectrum = [0, 0, 0, 1e-3, 1, 1, 1, 2.5, 7, 7];
    const values = symmetricEigenvalues(rotatedDiagonal(randomRotation(rng, 10), spectrum), 10);
    values.forEach((v, k) => expect(Math.abs(v - spectrum[k]), `k=${k}`).toBeLessThan(1e-13));
    const identity = Float64Array.from({ length: 16 }, (_, i) => (i % 5 === 0 ? 3 : 0));
    expect(Array.from(symmetricEigenvalues(identity, 4))).toEqual([3, 3, 3, 3]);
  });

  it('stays finite when a column is so small that its squares are denormal', () => {
    // 3e-160 squared is 9e-320: 1 / that overflows, which once turned FID into NaN.
    const a = Float64Array.from([1, 0, 3e-160, 0, 0, 2, 0, 0, 3e-160, 0, 3, 0, 0, 0, 0, 4]);
    const values = symmetricEigenvalues(a, 4);
    [1, 2, 3, 4].forEach((l, k) => expect(Math.abs(values[k] - l), `k=${k}`).toBeLessThan(1e-13));
  });

  it('stays finite when a tiny column meets large entries (beta finite, beta * A v not)', () => {
    // Unscaled, beta ~ 1e307 here and beta * vᵀ(A v) / 2 overflows: the reflector must be built
    // from the column scaled to max |x| = 1.
    const t = 1e-154;
    const a = Float64Array.from([1, t, 2 * t, 0, t, 1e3, 5, 1, 2 * t, 5, 2e3, 3, 0, 1, 3, 4e3]);
    const values = symmetricEigenvalues(a, 4);
    const want = Array.from(symmetricEigen(a, 4).values).sort((x, y) => x - y);
    values.forEach((v, k) => expect(Math.abs(v - want[k]) / want[3], `k=${k}`).toBeLessThan(1e-13));
  });

  it('solves a tridiagonal matrix with a known spectrum: 2 on the diagonal, -1 off it', () => {
    const n = 12;
    const values = tridiagonalEigenvalues(new Float64Array(n).fill(2), new Float64Array(n - 1).fill(-1));
    // Eigenvalues 2 - 2 cos(k pi / (n + 1)), k = 1..n.
    values.forEach((v, i) => expect(Math.abs(v - (2 - 2 * Math.cos(((i + 1) * Math.PI) / (n + 1))))).toBeLessThan(1e-14));
  });

  it('symmetricEigen returns orthonormal eigenvectors: V diag(l) Vᵀ rebuilds the matrix', () => {
    const d = 9;
    const s = randomSymmetric(new Rng(63), d);
    const { values, vectors } = symmetricEigen(s, d);
    const scaled = Float64Array.from(vectors, (v, idx) => v * values[idx % d]);
    const vt = new Float64Array(d * d);
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) vt[j * d + i] = vectors[i * d + j];
    const rebuilt = matmul(scaled, vt, d, d, d);
    rebuilt.forEach((v, i) => expect(Math.abs(v - s[i])).toBeLessThan(1e-12));
  });
});
