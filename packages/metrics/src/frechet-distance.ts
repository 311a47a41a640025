import { MetricsError } from './errors';
import { assertFinite } from './feature-matrix';
import { matmul, symmetricEigen, symmetricEigenvalues, trace, type SymmetricEigen } from './linalg';

/** Eigenvalues below -NEGATIVE_EIGEN_TOLERANCE * (largest eigenvalue) are reported, not just clamped. */
const NEGATIVE_EIGEN_TOLERANCE = 1e-8;

/** Result of {@link frechetDistance}. */
export interface FrechetResult {
  /** ||mu1 - mu2||² + Tr(S1 + S2 - 2 (S1 S2)^½), clamped at 0. */
  value: number;
  /** ||mu1 - mu2||². */
  meanTerm: number;
  /** Tr((S1 S2)^½). */
  traceSqrtProduct: number;
  warnings: string[];
}

/**
 * Fréchet distance between N(mu1, cov1) and N(mu2, cov2) (row-major d x d covariances).
 *
 * Tr((S1 S2)^½) is computed without a general (non-symmetric) matrix square root:
 * S1 = V diag(l) Vᵀ by a symmetric eigendecomposition, with l clamped at 0, so
 * S1^½ = V diag(√l) Vᵀ, and (S1 S2)^½ has the eigenvalues of the symmetric PSD matrix
 * M = S1^½ S2 S1^½. We decompose the similar matrix Gᵀ S2 G with G = V diag(√l) instead
 * (one product fewer, and only the columns with l > 0, so a singular S1 shrinks the work),
 * for its eigenvalues only. Their square roots (negatives clamped at 0) sum to the trace.
 * Unlike `scipy.linalg.sqrtm`, this never returns complex parts and stays stable for
 * singular covariances (fewer samples than dimensions).
 */
export function frechetDistance(
  mu1: ArrayLike<number>,
  cov1: ArrayLike<number>,
  mu2: ArrayLike<number>,
  cov2: ArrayLike<number>,
): FrechetResult {
  const d = mu1.length;
  if (mu2.length !== d) throw new MetricsError(`frechetDistance: mean lengths differ (${d} vs ${mu2.length})`);
  if (cov1.length !== d * d || cov2.length !== d * d) {
    throw new MetricsError(`frechetDistance: covariances must be ${d}x${d}, got ${cov1.length} and ${cov2.length} values`);
  }
  for (const [v, name] of [[mu1, 'mu1'], [cov1, 'cov1'], [mu2, 'mu2'], [cov2, 'cov2']] as const) assertFinite(v, `frechetDistance: ${name}`);
  const s1 = Float64Array.from(cov1);
  const s2 = Float64Array.from(cov2);
  const warnings: string[] = [];

  let meanTerm = 0;
  for (let i = 0; i < d; i++) meanTerm += (mu1[i] - mu2[i]) ** 2;

  const e1 = symmetricEigen(s1, d);
  checkNegative(e1.values, 'the first covariance', warnings);
  const e2 = symmetricEigenvalues(rootSandwich(e1, s2, d), countPositive(e1.values));
  checkNegative(e2, 'S1^½ S2 S1^½', warnings);
  let traceSqrtProduct = 0;
  for (const l of e2) traceSqrtProduct += Math.sqrt(Math.max(l, 0));

  const raw = meanTerm + trace(s1, d) + trace(s2, d) - 2 * traceSqrtProduct;
  return { value: Math.max(raw, 0), meanTerm, traceSqrtProduct, warnings };
}

function checkNegative(values: Float64Array, what: string, warnings: string[]): void {
  let max = 0;
  let min = 0;
  for (const l of values) {
    max = Math.max(max, l);
    min = Math.min(min, l);
  }
  if (min < -NEGATIVE_EIGEN_TOLERANCE * Math.max(max, Number.MIN_VALUE)) {
    warnings.push(`${what} has a negative eigenvalue ${min.toExponential(3)} (largest ${max.toExponential(3)}); clamped to 0`);
  }
}

function countPositive(values: Float64Array): number {
  return values.reduce((n, l) => n + (l > 0 ? 1 : 0), 0);
}

/** Gᵀ S2 G for G = V diag(√l) over the r eigenpairs with l > 0: r x r, symmetric, row-major. */
function rootSandwich(e: SymmetricEigen, s2: Float64Array, d: number): Float64Array {
  const keep: number[] = [];
  e.values.forEach((l, k) => {
    if (l > 0) keep.push(k);
  });
  const r = keep.length;
  const g = new Float64Array(d * r);
  const gt = new Float64Array(r * d);
  keep.forEach((k, c) => {
    const root = Math.sqrt(e.values[k]);
    for (let i = 0; i < d; i++) {
      const v = e.vectors[i * d + k] * root;
      g[i * r + c] = v;
      gt[c * d + i] = v;
    }
  });
  const w = matmul(gt, matmul(s2, g, d, d, r), r, d, r);
  for (let a = 0; a < r; a++) {
    for (let b = a + 1; b < r; b++) {
      const sym = 0.5 * (w[a * r + b] + w[b * r + a]);
      w[a * r + b] = sym;
      w[b * r + a] = sym;
    }
  }
  return w;
}
