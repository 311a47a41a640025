import { EigenvalueDecomposition, Matrix } from 'ml-matrix';

/** Eigenvalues and eigenvectors of a symmetric matrix; `vectors` is row-major with eigenvector k in column k. */
export interface SymmetricEigen {
  values: Float64Array;
  vectors: Float64Array;
}

/** Eigendecomposition of the symmetric part of a d x d row-major matrix (ml-matrix's Householder + QL). */
export function symmetricEigen(a: Float64Array, d: number): SymmetricEigen {
  const m = new Matrix(d, d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) m.set(i, j, 0.5 * (a[i * d + j] + a[j * d + i]));
  }
  const evd = new EigenvalueDecomposition(m, { assumeSymmetric: true });
  return { values: Float64Array.from(evd.realEigenvalues), vectors: Float64Array.from(evd.eigenvectorMatrix.to1DArray()) };
}

/**
 * Eigenvalues (ascending) of a symmetric d x d row-major matrix, without eigenvectors:
 * Householder reduction to tridiagonal form, then bisection on Sturm sequence counts.
 * Several times cheaper than a full decomposition, which spends most of its time on vectors;
 * the absolute error is a few ulp of the matrix norm, like a QL sweep's.
 */
export function symmetricEigenvalues(a: Float64Array, d: number): Float64Array {
  const { diag, off } = tridiagonalize(a, d);
  return tridiagonalEigenvalues(diag, off);
}

/**
 * Householder tridiagonalization of the symmetric part of `a` (not modified): returns the diagonal
 * and the off-diagonal (`off[k]` couples k and k+1) of a similar tridiagonal matrix.
 */
export function tridiagonalize(a: Float64Array, n: number): { diag: Float64Array; off: Float64Array } {
  const w = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) w[i * n + j] = 0.5 * (a[i * n + j] + a[j * n + i]);
  const diag = new Float64Array(n);
  const off = new Float64Array(Math.max(n - 1, 0));
  const v = new Float64Array(n);
  const q = new Float64Array(n);
  for (let k = 0; k < n - 2; k++) {
    const row = k * n;
    const s = k + 1;
    diag[k] = w[row + k];
    // Column k below the diagonal equals row k right of it (symmetry), which is contiguous.
    // The reflector is built from the column scaled to max |x| = 1, as LAPACK does: unscaled, a
    // column of ~1e-155 entries squares to near-denormals and beta = 2 / vᵀv overflows, or is
    // finite but large enough that beta * (A v) does, filling the matrix with Inf - Inf = NaN.
    let xmax = 0;
    for (let i = s; i < n; i++) xmax = Math.max(xmax, Math.abs(w[row + i]));
    let norm2 = 0;
    for (let i = s; i < n; i++) {
      v[i] = w[row + i] / xmax;
      norm2 += v[i] * v[i];
    }
    const x0 = v[s];
    if (xmax === 0 || norm2 - x0 * x0 === 0) {
      off[k] = w[row + s];
      continue;
    }
    // Reflector H = I - beta v vᵀ maps x to alpha e1; alpha's sign avoids cancellation in v.
    const alpha = x0 >= 0 ? -Math.sqrt(norm2) : Math.sqrt(norm2);
    const beta = 1 / (norm2 - alpha * x0); // 2 / vᵀv, as vᵀv = 2 (|x|² - alpha x0); here 1 <= |x|² <= n
    off[k] = alpha * xmax;
    v[s] -= alpha;
    // H A H = A - v qᵀ - q vᵀ with p = beta A v, q = p - (beta vᵀp / 2) v.
    let vp = 0;
    for (let i = s; i < n; i++) {
      const ri = i * n;
      let acc = 0;
      for (let j = s; j < n; j++) acc += w[ri + j] * v[j];
      q[i] = beta * acc;
      vp += v[i] * q[i];
    }
    const half = 0.5 * beta * vp;
    for (let i = s; i < n; i++) q[i] -= half * v[i];
    for (let i = s; i < n; i++) {
      const ri = i * n;
      const vi = v[i];
      const qi = q[i];
      for (let j = s; j < n; j++) w[ri + j] -= vi * q[j] + qi * v[j];
    }
  }
  if (n >= 2) {
    diag[n - 2] = w[(n - 2) * n + n - 2];
    off[n - 2] = w[(n - 2) * n + n - 1];
  }
  if (n >= 1) diag[n - 1] = w[n * n - 1];
  return { diag, off };
}

/** Smallest normal float64. */
const SAFE_MIN = 2.2250738585072014e-308;

/** Eigenvalues (ascending) of a symmetric tridiagonal matrix by Sturm-count bisection. */
export function tridiagonalEigenvalues(diag: Float64Array, off: Float64Array): Float64Array {
  const n = diag.length;
  let lo = Infinity;
  let hi = -Infinity;
  let offMax2 = 0;
  for (let i = 0; i < n; i++) {
    const r = (i > 0 ? Math.abs(off[i - 1]) : 0) + (i < n - 1 ? Math.abs(off[i]) : 0);
    lo = Math.min(lo, diag[i] - r);
    hi = Math.max(hi, diag[i] + r);
    if (i < n - 1) offMax2 = Math.max(offMax2, off[i] * off[i]);
  }
  const scale = Math.max(Math.abs(lo), Math.abs(hi));
  const tol = 4 * Number.EPSILON * scale;
  // A zero pivot would divide by zero; a tiny negative one counts it as below x, as LAPACK does.
  const pivmin = SAFE_MIN * Math.max(1, offMax2);
  const countBelow = (x: number): number => {
    let count = 0;
    let p = 1;
    for (let i = 0; i < n; i++) {
      p = diag[i] - x - (i > 0 ? (off[i - 1] * off[i - 1]) / p : 0);
      if (Math.abs(p) < pivmin) p = -pivmin;
      if (p < 0) count++;
    }
    return count;
  };
  const values = new Float64Array(n);
  let left = lo;
  for (let k = 0; k < n; k++) {
    // Eigenvalues come out ascending, so the previous one bounds the next from below.
    let l = left;
    let h = hi;
    while (h - l > tol) {
      const mid = 0.5 * (l + h);
      if (mid <= l || mid >= h) break;
      if (countBelow(mid) <= k) l = mid;
      else h = mid;
    }
    values[k] = 0.5 * (l + h);
    left = l;
  }
  return values;
}

/** Rows of B per cache block in {@link matmul}. */
const K_BLOCK = 64;
/** Columns of B per cache block in {@link matmul}: a 64 x 512 float64 block is 256 KiB. */
const N_BLOCK = 512;

/**
 * C = A B for row-major A (m x k) and B (k x n), float64. Blocks of B stay in cache while every
 * row of A passes over them, and four rows of B are combined per pass over a row of C; at
 * d = 2048 that is ~3.5x faster in V8 than the plain i-k-j loop.
 */
export function matmul(a: Float64Array, b: Float64Array, m: number, k: number, n: number): Float64Array {
  const c = new Float64Array(m * n);
  for (let p0 = 0; p0 < k; p0 += K_BLOCK) {
    const p1 = Math.min(k, p0 + K_BLOCK);
    for (let j0 = 0; j0 < n; j0 += N_BLOCK) {
      const j1 = Math.min(n, j0 + N_BLOCK);
      for (let i = 0; i < m; i++) {
        const ci = i * n;
        const ai = i * k;
        let p = p0;
        for (; p + 3 < p1; p += 4) {
          const a0 = a[ai + p];
          const a1 = a[ai + p + 1];
          const a2 = a[ai + p + 2];
          const a3 = a[ai + p + 3];
          const b0 = p * n;
          const b1 = b0 + n;
          const b2 = b1 + n;
          const b3 = b2 + n;
          for (let j = j0; j < j1; j++) c[ci + j] += a0 * b[b0 + j] + a1 * b[b1 + j] + a2 * b[b2 + j] + a3 * b[b3 + j];
        }
        for (; p < p1; p++) {
          const aip = a[ai + p];
          const bp = p * n;
          for (let j = j0; j < j1; j++) c[ci + j] += aip * b[bp + j];
        }
      }
    }
  }
  return c;
}

export function trace(a: Float64Array, d: number): number {
  let t = 0;
  for (let i = 0; i < d; i++) t += a[i * d + i];
  return t;
}
