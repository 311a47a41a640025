import * as tf from '@tensorflow/tfjs';
import { downsampleArea } from '@lowdiff/data';
import { initBackend, Rng } from '@lowdiff/backend';
import { beforeAll, describe, expect, it } from 'vitest';
import { lowResConsistency, MSE_FLOOR } from '../src/index';
import { expectRelClose } from './helpers';

beforeAll(() => initBackend({ backend: 'wasm' }));

describe('low-resolution consistency', () => {

  it('gives the capped PSNR when the final image is consistent and 10 log10(4 / mse) otherwise', () => {
    const rng = new Rng(51);
    tf.tidy(() => {
      const final = rng.uniformTensor([3, 16, 16, 2], -1, 1) as tf.Tensor4D;
      const low = downsampleArea(final, 4);
      const exact = lowResConsistency(final, low);
      expectRelClose(exact.value, 10 * Math.log10(4 / MSE_FLOOR), 1e-6);
      expect(exact).toMatchObject({ name: 'low-res-psnr', extractor: 'pixels', count: 3 });
      const offset = lowResConsistency(final, tf.add(low, 0.1));
      offset.perImage.forEach((v) => expectRelClose(v, 10 * Math.log10(4 / 0.01), 1e-5));
      expect(offset.std).toBeLessThan(1e-4);
      expectRelClose(lowResConsistency(final, tf.add(low, 0.1), { dataRange: 1 }).value, 10 * Math.log10(1 / 0.01), 1e-5);
    });
  });

  it('does not leak tensors and rejects mismatched shapes', () => {
    const final = tf.zeros([2, 8, 8, 3]) as tf.Tensor4D;
    const low = tf.zeros([2, 4, 4, 3]) as tf.Tensor4D;
    lowResConsistency(final, low);
    const before = tf.memory().numTensors;
    lowResConsistency(final, low);
    expect(tf.memory().numTensors).toBe(before);
    expect(() => lowResConsistency(final, tf.zeros([2, 3, 3, 3]) as tf.Tensor4D)).toThrow(/not an integer multiple/);
    expect(() => lowResConsistency(final, tf.zeros([2, 4, 2, 3]) as tf.Tensor4D)).toThrow(/not an integer multiple/);
    expect(() => lowResConsistency(final, tf.zeros([1, 4, 4, 3]) as tf.Tensor4D)).toThrow(/batch and channels must match/);
    expect(() => lowResConsistency(final, low, { dataRange: 0 })).toThrow(/dataRange: must be > 0/);
    tf.dispose([final, low]);
  });
});
