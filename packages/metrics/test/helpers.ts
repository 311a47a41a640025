import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Rng } from '@lowdiff/backend';
import { expect } from 'vitest';
import { featureMatrix, type FeatureMatrix } from '../src/index';

export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');

/** reference.json written by fixtures/make_fixtures.py (numpy/scipy). */
export interface Reference {
  real_mean: number[];
  real_cov: number[];
  fid: number;
  fid_real_vs_real: number;
  mmd_unbiased: number;
  mmd_unbiased_real_first180: number;
  is_splits10: [number, number];
  is_splits4: [number, number];
  is_splits1: [number, number];
  precision_recall_k3: [number, number];
  precision_recall_k5: [number, number];
  requested: number[];
  conditional_accuracy: number;
  low_res_psnr: { mean: number; std: number; per_image: number[] };
  ts_written_npy: Record<string, { sha256: string; numpy_load_ok: boolean }>;
}

export function loadReference(): Reference {
  return JSON.parse(readFileSync(join(FIXTURES, 'reference.json'), 'utf8')) as Reference;
}

export function expectRelClose(actual: number, expected: number, rel: number, what = ''): void {
  const err = Math.abs(actual - expected) / Math.max(Math.abs(expected), 1e-300);
  expect(err, `${what} ${actual} vs ${expected}`).toBeLessThanOrEqual(rel);
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** n samples of N(mean, L Lᵀ) as float64 rows, drawn with the seeded Rng. */
export function gaussianSamples(rng: Rng, n: number, mean: number[], chol: number[]): Float64Array {
  const d = mean.length;
  const out = new Float64Array(n * d);
  const z = new Float64Array(d);
  for (let r = 0; r < n; r++) {
    for (let i = 0; i < d; i++) z[i] = rng.normal();
    for (let i = 0; i < d; i++) {
      let v = mean[i];
      for (let k = 0; k <= i; k++) v += chol[i * d + k] * z[k];
      out[r * d + i] = v;
    }
  }
  return out;
}

/** Random features as a FeatureMatrix: rows of N(shift, scale²). */
export function randomFeatures(extractor: string, rng: Rng, rows: number, dim: number, shift = 0, scale = 1): FeatureMatrix {
  return featureMatrix(extractor, rng.normalArray(rows * dim, shift, scale), dim);
}

/** A random rotation (Q of a QR by Gram-Schmidt), row-major d x d. */
export function randomRotation(rng: Rng, d: number): Float64Array {
  const q = new Float64Array(d * d);
  for (let c = 0; c < d; c++) {
    const v = Float64Array.from({ length: d }, () => rng.normal());
    for (let p = 0; p < c; p++) {
      let dot = 0;
      for (let i = 0; i < d; i++) dot += v[i] * q[i * d + p];
      for (let i = 0; i < d; i++) v[i] -= dot * q[i * d + p];
    }
    const norm = Math.hypot(...v);
    for (let i = 0; i < d; i++) q[i * d + c] = v[i] / norm;
  }
  return q;
}

/** Q diag(values) Qᵀ. */
export function rotatedDiagonal(q: Float64Array, values: number[]): Float64Array {
  const d = values.length;
  const out = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) {
      let s = 0;
      for (let k = 0; k < d; k++) s += q[i * d + k] * values[k] * q[j * d + k];
      out[i * d + j] = s;
    }
  }
  return out;
}
