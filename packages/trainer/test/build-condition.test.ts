import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@lowdiff/backend';
import { beforeAll, expect, it } from 'vitest';
import { buildCondition } from '../src';

beforeAll(() => initBackend({ backend: 'wasm' }));

it('is the area-downsampled target, upsampled back, plus sigma_aug noise', () => {
  // A 4x4 image whose 2x2 block means are 1, 2, 3, 4.
  const y = tf.tensor4d([0, 2, 1, 3, 2, 0, 3, 1, 2, 4, 3, 5, 4, 2, 5, 3], [1, 4, 4, 1]);
  const zero = tf.zeros([1, 4, 4, 1]) as tf.Tensor4D;
  const nearest = buildCondition(y, 2, 'nearest', new Float32Array([0]), zero).dataSync();
  expect(Array.from(nearest)).toEqual([1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4]);
  const noise = tf.ones([1, 4, 4, 1]) as tf.Tensor4D;
  const noisy = buildCondition(y, 2, 'nearest', new Float32Array([0.25]), noise).dataSync();
  expect(Array.from(noisy)).toEqual(Array.from(nearest, (v) => v + 0.25));
  // Bilinear with half-pixel centres: corner values stay the block means, the centre is their mean.
  const bil = buildCondition(y, 2, 'bilinear', new Float32Array([0]), zero).dataSync();
  expect(bil[0]).toBeCloseTo(1, 6);
  expect(bil[15]).toBeCloseTo(4, 6);
  expect((bil[5] + bil[6] + bil[9] + bil[10]) / 4).toBeCloseTo(2.5, 6);
  tf.dispose([y, zero, noise]);
});

it('can resample through a custom resampler (e.g. in pixel space for latents)', () => {
  const calls: string[] = [];
  const resampler = {
    downsample: (x: tf.Tensor4D, r: number) => (calls.push(`down ${x.shape[1]}->${r}`), tf.fill([x.shape[0], r, r, x.shape[3]], 2) as tf.Tensor4D),
    upsample: (x: tf.Tensor4D, r: number, mode: string) => (calls.push(`up ${x.shape[1]}->${r} ${mode}`), tf.mul(tf.ones([x.shape[0], r, r, x.shape[3]]), tf.mean(x)) as tf.Tensor4D),
  };
  const y = tf.zeros([1, 4, 4, 1]) as tf.Tensor4D;
  const out = buildCondition(y, 2, 'bilinear', new Float32Array([0]), tf.zeros([1, 4, 4, 1]) as tf.Tensor4D, resampler);
  expect(calls).toEqual(['down 4->2', 'up 2->4 bilinear']);
  expect(Array.from(out.dataSync())).toEqual(Array(16).fill(2));
});
