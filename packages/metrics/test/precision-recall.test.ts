import * as tf from '@tensorflow/tfjs';
import { initBackend, Rng } from '@lowdiff/backend';
import { beforeAll, describe, expect, it } from 'vitest';
import { ExtractorMismatchError, featureMatrix, knnRadii2, precisionRecall, squaredNorms } from '../src/index';
import { randomFeatures } from './helpers';

beforeAll(() => initBackend({ backend: 'wasm' }));

describe('precisionRecall', () => {
  const rng = new Rng(31);
  const real = randomFeatures('toy', rng, 400, 24);

  it('is 1 and 1 for a set against itself, in both product precisions', () => {
    for (const precision of ['float32', 'float64'] as const) {
      const { precision: p, recall: r } = precisionRecall({ real, generated: real }, { precision });
      expect([p.value, r.value], precision).toEqual([1, 1]);
      expect(p).toMatchObject({ name: 'precision', extractor: 'toy', count: 400, referenceCount: 400 });
      expect(r.name).toBe('recall');
    }
  });

  it('is 0 and 0 for far-apart sets', () => {
    const far = randomFeatures('toy', rng, 200, 24, 50);
    const { precision, recall } = precisionRecall({ real, generated: far });
    expect([precision.value, recall.value]).toEqual([0, 0]);
  });

  it('separates fidelity from coverage: a generator covering one of two modes has precision 1, recall ~ 1/2', () => {
    const d = 8;
    const modeA = Array.from({ length: 300 * d }, (_, i) => rng.normal() + (i % d === 0 ? 20 : 0));
    const modeB = Array.from({ length: 300 * d }, (_, i) => rng.normal() - (i % d === 0 ? 20 : 0));
    const twoModes = featureMatrix('toy', Float64Array.from([...modeA, ...modeB]), d);
    const oneMode = featureMatrix('toy', Float64Array.from({ length: 300 * d }, (_, i) => rng.normal() + (i % d === 0 ? 20 : 0)), d);
    const { precision, recall } = precisionRecall({ real: twoModes, generated: oneMode }, { k: 3 });
    // Mode B lies 40 apart: none of it can be covered, so recall <= 1/2; within mode A both sets
    // are one distribution, where k = 3 balls over 300 samples in 8-d cover most but not all of it.
    expect(precision.value).toBeGreaterThan(0.8);
    expect(recall.value).toBeGreaterThan(0.4);
    expect(recall.value).toBeLessThanOrEqual(0.5);
    const both = featureMatrix('toy', Float64Array.from([...oneMode.data.subarray(0, 150 * d), ...modeB.slice(0, 150 * d)]), d);
    expect(precisionRecall({ real: twoModes, generated: both }).recall.value).toBeGreaterThan(recall.value + 0.3);
  });

  it('k-NN radii are distances to the k-th nearest other sample', () => {
    // Points 0, 1, 3, 7 on a line, k = 2: the 2nd nearest other point of 0 is 3 (d 3), of 1 is 3
    // (d 2), of 3 is 0 (d 3), of 7 is 1 (d 6); radii are squared.
    const line = featureMatrix('toy', new Float64Array([0, 1, 3, 7]), 1);
    const radii = knnRadii2(line, squaredNorms(line), 2, 'float64');
    expect(Array.from(radii)).toEqual([9, 4, 9, 36]);
  });

  it('does not leak tensors and rejects bad input', () => {
    precisionRecall({ real, generated: real }, { k: 2 });
    const before = tf.memory().numTensors;
    precisionRecall({ real, generated: real }, { k: 2 });
    expect(tf.memory().numTensors).toBe(before);
    const tiny = randomFeatures('toy', rng, 3, 24);
    expect(() => precisionRecall({ real, generated: tiny })).toThrow(/generated set has 3 samples, needs more than k = 3/);
    expect(() => precisionRecall({ real, generated: randomFeatures('other', rng, 10, 24) })).toThrow(ExtractorMismatchError);
    expect(() => precisionRecall({ real, generated: real }, { k: 0 })).toThrow(/Invalid PrecisionRecallOptions: k: must be >= 1/);
  });
});
