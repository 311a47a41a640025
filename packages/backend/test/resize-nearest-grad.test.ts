import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { onBackend } from './helpers';

// Ground truth: a 2x nearest upsampling's gradient is the sum of each 2x2 block of dy, per image.
function blockSums(dy: number[], n: number, oh: number, ow: number): number[] {
  const out: number[] = [];
  for (let b = 0; b < n; b++)
    for (let i = 0; i < oh / 2; i++)
      for (let j = 0; j < ow / 2; j++) {
        let s = 0;
        for (let di = 0; di < 2; di++) for (let dj = 0; dj < 2; dj++) s += dy[b * oh * ow + (2 * i + di) * ow + 2 * j + dj];
        out.push(s);
      }
  return out;
}

describe('resizeNearestNeighbor gradient', () => {
  for (const backend of ['cpu', 'wasm'] as const) {
    it(`is the per-image block sum on ${backend} with batch 3`, async () => {
      const dy = Array.from({ length: 3 * 4 * 4 }, (_, i) => (i * 7) % 11);
      const [grad] = await onBackend(backend, () =>
        tf.grad((x: tf.Tensor) => tf.sum(tf.mul(tf.image.resizeNearestNeighbor(x as tf.Tensor4D, [4, 4]), tf.tensor4d(dy, [3, 4, 4, 1]))))(
          tf.zeros([3, 2, 2, 1]),
        ),
      );
      expect(Array.from(grad)).toEqual(blockSums(dy, 3, 4, 4));
    });
  }
});
