import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@lowdiff/backend';
import { loadDataset, toTensor } from '@lowdiff/data';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadShippedClassifier } from '../src';

beforeAll(() => initBackend({ backend: 'wasm' }));

// The shipped weights are what eval/bench score with; their accuracy on held-out images is the
// guarantee that the feature space means something (README: >= 90 % Fashion-MNIST, >= 98 % MNIST).
describe.each([
  ['classifier-fmnist', 'fashion-mnist', 0.9],
  ['classifier-mnist', 'mnist', 0.98],
])('%s', (name, data, minAccuracy) => {
  it(`classifies the ${data} test split with accuracy >= ${minAccuracy}`, async () => {
    const { extractor, info } = await loadShippedClassifier(name);
    const test = await loadDataset(data, { split: 'test', size: 32 });
    let correct = 0;
    for (let s = 0; s < test.count; s += 500) {
      const idx = Array.from({ length: Math.min(500, test.count - s) }, (_, i) => s + i);
      correct += tf.tidy(() => {
        const { features, logits } = extractor.features(toTensor(test, idx));
        expect(features.shape).toEqual([idx.length, extractor.featureDim]);
        const predicted = tf.argMax(logits!, 1);
        return tf.sum(tf.cast(tf.equal(predicted, tf.tensor1d(idx.map((i) => test.labels[i]), 'int32')), 'int32')).dataSync()[0];
      });
    }
    const accuracy = correct / test.count;
    expect(accuracy).toBeGreaterThanOrEqual(minAccuracy);
    // The metadata records how the weights were made and what they scored.
    expect(info.command).toMatch(/tools\/train\/classifier.ts/);
    expect(Math.abs((info.testAccuracy as number) - accuracy)).toBeLessThan(1e-9);
    extractor.dispose();
  });
});
