import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import type { FeatureMatrix } from './feature-matrix';

/**
 * How pairwise inner products are computed:
 * - `float32`: `tf.matMul` on the active TensorFlow.js backend (fast; products rounded to float32,
 *   everything downstream in float64), the precision of clean-fid / torch-fidelity's float32 features;
 * - `float64`: plain JavaScript (exact to float64, roughly 10-20x slower than wasm); a reference.
 */
export const ProductPrecisionSchema = z.enum(['float32', 'float64']);
export type ProductPrecision = z.infer<typeof ProductPrecisionSchema>;

/** Entries per product block, bounding memory to ~32 MiB of float64 per block. */
const BLOCK_ENTRIES = 1 << 22;

/** Squared Euclidean norms of the rows, float64. */
export function squaredNorms(m: FeatureMatrix): Float64Array {
  const out = new Float64Array(m.rows);
  for (let i = 0; i < m.rows; i++) out[i] = dot(m.data, i * m.dim, m.data, i * m.dim, m.dim);
  return out;
}

/**
 * Calls `fn(start, rows, block)` for consecutive row blocks of A Bᵀ, where `block` holds
 * `rows x b.rows` inner products row-major (row r is A's row `start + r`).
 * The block array is reused between calls only on the float64 path; copy what you keep.
 */
export function forEachProductBlock(
  a: FeatureMatrix,
  b: FeatureMatrix,
  precision: ProductPrecision,
  fn: (start: number, rows: number, block: Float32Array | Float64Array) => void,
): void {
  const blockRows = Math.max(1, Math.min(a.rows, Math.floor(BLOCK_ENTRIES / Math.max(1, b.rows))));
  if (precision === 'float64') {
    const block = new Float64Array(blockRows * b.rows);
    for (let start = 0; start < a.rows; start += blockRows) {
      const rows = Math.min(blockRows, a.rows - start);
      for (let r = 0; r < rows; r++) {
        const ai = (start + r) * a.dim;
        for (let j = 0; j < b.rows; j++) block[r * b.rows + j] = dot(a.data, ai, b.data, j * b.dim, a.dim);
      }
      fn(start, rows, block.subarray(0, rows * b.rows));
    }
    return;
  }
  // B is transposed once up front: tf.matMul(a, b, false, true) is 10-20x slower on wasm.
  const bt = tf.tidy(() => tf.transpose(tf.tensor2d(toFloat32(b.data), [b.rows, b.dim])));
  try {
    for (let start = 0; start < a.rows; start += blockRows) {
      const rows = Math.min(blockRows, a.rows - start);
      const slice = toFloat32(a.data.subarray(start * a.dim, (start + rows) * a.dim));
      const block = tf.tidy(() => tf.matMul(tf.tensor2d(slice, [rows, a.dim]), bt));
      const values = block.dataSync() as Float32Array;
      block.dispose();
      fn(start, rows, values);
    }
  } finally {
    bt.dispose();
  }
}

function toFloat32(data: Float32Array | Float64Array): Float32Array {
  return data instanceof Float32Array ? data : Float32Array.from(data);
}

// One loop for norms and products alike, so that |x|² + |x|² - 2 x·x is exactly 0 on the float64 path.
function dot(a: ArrayLike<number>, ai: number, b: ArrayLike<number>, bi: number, n: number): number {
  let s = 0;
  for (let k = 0; k < n; k++) s += a[ai + k] * b[bi + k];
  return s;
}
