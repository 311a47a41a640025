import { describe, expect, it } from 'vitest';
import { featureMatrix, inceptionScore, MetricsError, softmaxRows } from '../src/index';
import { expectRelClose } from './helpers';

const C = 10;
function oneHotRows(labels: number[], confidence = 1): Float64Array {
  const out = new Float64Array(labels.length * C).fill((1 - confidence) / (C - 1));
  labels.forEach((y, i) => (out[i * C + y] = confidence));
  return out;
}

describe('inceptionScore', () => {
  it('equals the number of classes for confident, class-balanced predictions', () => {
    const labels = Array.from({ length: 100 }, (_, i) => i % C);
    const score = inceptionScore(featureMatrix('clf', oneHotRows(labels), C), { input: 'probabilities' });
    expectRelClose(score.value, C, 1e-12);
    expect(score.std).toBeLessThan(1e-12);
    expect(score).toMatchObject({ name: 'is', extractor: 'clf', count: 100 });
  });

  it('is 1 when every sample gets the same prediction, and for uniform predictions', () => {
    const same = oneHotRows(new Array(50).fill(3), 0.7);
    expectRelClose(inceptionScore(featureMatrix('clf', same, C), { input: 'probabilities', splits: 5 }).value, 1, 1e-12);
    const uniform = new Float64Array(50 * C).fill(1 / C);
    expectRelClose(inceptionScore(featureMatrix('clf', uniform, C), { input: 'probabilities', splits: 5 }).value, 1, 1e-12);
  });

  it('matches a hand-computed two-class value', () => {
    // Rows p1 = (0.9, 0.1), p2 = (0.2, 0.8); p(y) = (0.55, 0.45).
    const rows = new Float64Array([0.9, 0.1, 0.2, 0.8]);
    const kl = (p: number[]) => p[0] * Math.log(p[0] / 0.55) + p[1] * Math.log(p[1] / 0.45);
    const expected = Math.exp((kl([0.9, 0.1]) + kl([0.2, 0.8])) / 2);
    expectRelClose(inceptionScore(featureMatrix('clf', rows, 2), { input: 'probabilities', splits: 1 }).value, expected, 1e-14);
  });

  it('gives the same value from logits (softmax in float64, stable for large logits) and from probabilities', () => {
    const logits = Float64Array.from({ length: 40 * C }, (_, i) => 800 + Math.sin(i * 1.7) * 5);
    const fromLogits = inceptionScore(featureMatrix('clf', logits, C), { splits: 4 });
    const probs = featureMatrix('clf', softmaxRows(featureMatrix('clf', logits, C)), C);
    expect(Number.isFinite(fromLogits.value)).toBe(true);
    expectRelClose(inceptionScore(probs, { splits: 4, input: 'probabilities' }).value, fromLogits.value, 1e-12);
  });

  it('rejects too many splits, invalid probability rows and bad options', () => {
    const probs = featureMatrix('clf', oneHotRows([1, 2, 3]), C);
    expect(() => inceptionScore(probs, { splits: 4, input: 'probabilities' })).toThrow(/3 samples cannot be cut into 4 splits/);
    const bad = featureMatrix('clf', new Float64Array([0.5, 0.2, 0.5, 0.5]), 2);
    expect(() => inceptionScore(bad, { splits: 1, input: 'probabilities' })).toThrow(/row 0 sums to 0.7/);
    const negative = featureMatrix('clf', new Float64Array([1.5, -0.5, 0.5, 0.5]), 2);
    expect(() => inceptionScore(negative, { splits: 1, input: 'probabilities' })).toThrow(MetricsError);
    expect(() => inceptionScore(probs, { splits: 0 })).toThrow(/Invalid InceptionScoreOptions: splits: must be >= 1/);
  });
});
