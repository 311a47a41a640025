import { MetricsError } from './errors';
import type { FeatureMatrix } from './feature-matrix';
import type { MetricScore } from './metric-score';

/**
 * Share of samples whose predicted class (argmax of the classifier's logits; the first on ties)
 * equals the class the generator was asked for: how well a class-conditional model obeys its
 * condition, as judged by the extractor's classifier head.
 *
 * @param logits - `rows x numClasses` logits (or probabilities: the argmax is the same)
 * @param requested - the requested class of each row
 * @throws {@link MetricsError} on a length mismatch or a label outside [0, numClasses)
 */
export function conditionalAccuracy(logits: FeatureMatrix, requested: ArrayLike<number>): MetricScore {
  if (requested.length !== logits.rows) {
    throw new MetricsError(`conditionalAccuracy: ${requested.length} requested labels for ${logits.rows} samples`);
  }
  if (logits.rows === 0) throw new MetricsError('conditionalAccuracy: no samples');
  let correct = 0;
  for (let i = 0; i < logits.rows; i++) {
    const label = requested[i];
    if (!Number.isInteger(label) || label < 0 || label >= logits.dim) {
      throw new MetricsError(`conditionalAccuracy: requested label ${label} at index ${i} is not a class in [0, ${logits.dim})`);
    }
    if (argmax(logits.data, i * logits.dim, logits.dim) === label) correct++;
  }
  return { name: 'conditional-accuracy', value: correct / logits.rows, extractor: logits.extractor, count: logits.rows, warnings: [] };
}

function argmax(data: ArrayLike<number>, offset: number, n: number): number {
  let best = 0;
  for (let k = 1; k < n; k++) if (data[offset + k] > data[offset + best]) best = k;
  return best;
}
