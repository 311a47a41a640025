import { z } from 'zod';
import { MetricsError, parseOptions } from './errors';
import type { FeatureMatrix } from './feature-matrix';
import type { MetricScore } from './metric-score';

/** Options of {@link inceptionScore}. */
export const InceptionScoreOptionsSchema = z.object({
  /** Number of contiguous splits the score is computed on (Salimans et al. use 10). */
  splits: z.number().int('must be an integer').min(1, 'must be >= 1').default(10),
  /** Whether the rows are class logits (softmax applied here, in float64) or probabilities. */
  input: z.enum(['logits', 'probabilities']).default('logits'),
});
export type InceptionScoreOptions = z.input<typeof InceptionScoreOptionsSchema>;

/** Tolerance on a probability row's sum before it is rejected (float32 rows sum to 1 ± ~1e-6). */
const PROBABILITY_SUM_TOLERANCE = 1e-3;

/**
 * Inception Score (Salimans et al. 2016) from class logits or probabilities, one row per sample:
 * the rows are cut into `splits` contiguous parts (part i holds rows ⌊iN/s⌋ .. ⌊(i+1)N/s⌋ - 1);
 * on each, IS = exp(mean over x of KL(p(y|x) || p(y))) with p(y) the part's mean prediction.
 * `value` is the mean over parts and `std` their population standard deviation, as in the
 * original code. Terms with p(y|x) = 0 contribute 0.
 *
 * @throws {@link MetricsError} when there are fewer rows than splits or a probability row is invalid
 */
export function inceptionScore(logits: FeatureMatrix, options: InceptionScoreOptions = {}): MetricScore {
  const opts = parseOptions(InceptionScoreOptionsSchema, options, 'InceptionScoreOptions');
  const n = logits.rows;
  const c = logits.dim;
  if (n < opts.splits) throw new MetricsError(`inceptionScore: ${n} samples cannot be cut into ${opts.splits} splits`);
  const probs = opts.input === 'logits' ? softmaxRows(logits) : checkedProbabilities(logits);
  const scores: number[] = [];
  for (let s = 0; s < opts.splits; s++) {
    const begin = Math.floor((s * n) / opts.splits);
    const end = Math.floor(((s + 1) * n) / opts.splits);
    const marginal = new Float64Array(c);
    for (let i = begin; i < end; i++) for (let k = 0; k < c; k++) marginal[k] += probs[i * c + k];
    for (let k = 0; k < c; k++) marginal[k] /= end - begin;
    let kl = 0;
    for (let i = begin; i < end; i++) {
      for (let k = 0; k < c; k++) {
        const p = probs[i * c + k];
        if (p > 0) kl += p * (Math.log(p) - Math.log(marginal[k]));
      }
    }
    scores.push(Math.exp(kl / (end - begin)));
  }
  const mean = scores.reduce((a, b) => a + b, 0) / scores.length;
  const std = Math.sqrt(scores.reduce((a, v) => a + (v - mean) ** 2, 0) / scores.length);
  const warnings = c < 2 ? ['a single class: IS is 1 by construction'] : [];
  return { name: 'is', value: mean, std, extractor: logits.extractor, count: n, warnings };
}

/** Row-wise softmax in float64, max-shifted so large logits do not overflow. */
export function softmaxRows(logits: FeatureMatrix): Float64Array {
  const c = logits.dim;
  const out = new Float64Array(logits.rows * c);
  for (let i = 0; i < logits.rows; i++) {
    let max = -Infinity;
    for (let k = 0; k < c; k++) max = Math.max(max, logits.data[i * c + k]);
    let z = 0;
    for (let k = 0; k < c; k++) {
      const e = Math.exp(logits.data[i * c + k] - max);
      out[i * c + k] = e;
      z += e;
    }
    for (let k = 0; k < c; k++) out[i * c + k] /= z;
  }
  return out;
}

function checkedProbabilities(m: FeatureMatrix): Float64Array {
  const c = m.dim;
  const out = new Float64Array(m.rows * c);
  for (let i = 0; i < m.rows; i++) {
    let z = 0;
    for (let k = 0; k < c; k++) {
      const p = m.data[i * c + k];
      if (!(p >= 0)) throw new MetricsError(`inceptionScore: probability row ${i} has a negative entry ${p} (pass input: 'logits' for logits)`);
      z += p;
    }
    if (Math.abs(z - 1) > PROBABILITY_SUM_TOLERANCE) {
      throw new MetricsError(`inceptionScore: probability row ${i} sums to ${z}, not 1 (pass input: 'logits' for logits)`);
    }
    // Renormalise away float32 rounding so that p(y) is an exact mixture.
    for (let k = 0; k < c; k++) out[i * c + k] = m.data[i * c + k] / z;
  }
  return out;
}
