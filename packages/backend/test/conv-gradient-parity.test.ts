import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { Rng } from '../src';
import { onBackend, relError } from './helpers';

interface Case {
  n: number;
  h: number;
  w: number;
  cin: number;
  cout: number;
  k: number;
  stride: 1 | 2;
  pad: 'same' | 'valid';
}

const CASES: Case[] = [
  { n: 2, h: 8, w: 8, cin: 3, cout: 5, k: 3, stride: 1, pad: 'same' },
  { n: 3, h: 9, w: 7, cin: 4, cout: 6, k: 3, stride: 1, pad: 'valid' },
  { n: 2, h: 8, w: 8, cin: 8, cout: 4, k: 3, stride: 2, pad: 'same' },
  { n: 2, h: 9, w: 9, cin: 2, cout: 7, k: 3, stride: 2, pad: 'valid' },
  { n: 4, h: 16, w: 16, cin: 16, cout: 32, k: 1, stride: 1, pad: 'same' },
  { n: 2, h: 10, w: 10, cin: 6, cout: 3, k: 5, stride: 2, pad: 'same' },
  { n: 2, h: 7, w: 7, cin: 1, cout: 8, k: 4, stride: 1, pad: 'same' },
];

describe('conv2d gradients: wasm matches cpu', () => {
  for (const c of CASES) {
    it(`${c.k}x${c.k} stride ${c.stride} ${c.pad}, ${c.n}x${c.h}x${c.w}x${c.cin} -> ${c.cout}`, async () => {
      const rng = new Rng(7);
      const x = rng.normalArray(c.n * c.h * c.w * c.cin);
      const w = rng.normalArray(c.k * c.k * c.cin * c.cout);
      const grads = () => {
        const xt = tf.tensor4d(x, [c.n, c.h, c.w, c.cin]);
        const wt = tf.tensor4d(w, [c.k, c.k, c.cin, c.cout]);
        // A non-uniform upstream gradient so that every output position matters differently.
        const f = (a: tf.Tensor, b: tf.Tensor) => {
          const y = tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.stride, c.pad);
          return tf.sum(tf.mul(y, tf.sin(y)));
        };
        return tf.grads(f)([xt, wt]);
      };
      const [dxCpu, dwCpu] = await onBackend('cpu', grads);
      const [dxWasm, dwWasm] = await onBackend('wasm', grads);
      expect(relError(dxWasm, dxCpu)).toBeLessThan(1e-4);
      expect(relError(dwWasm, dwCpu)).toBeLessThan(1e-4);
    });
  }

  it('embedding-lookup gradient (UnsortedSegmentSum) matches cpu', async () => {
    const table = new Rng(3).normalArray(10 * 4);
    const ids = [3, 1, 3, 9, 0, 3, 3];
    const grad = () => {
      const t = tf.tensor2d(table, [10, 4]);
      return tf.grad((e: tf.Tensor) => tf.sum(tf.square(tf.gather(e, tf.tensor1d(ids, 'int32')))))(t);
    };
    const [cpu] = await onBackend('cpu', grad);
    const [wasm] = await onBackend('wasm', grad);
    expect(relError(wasm, cpu)).toBeLessThan(1e-6);
  });

  it('unsortedSegmentSum drops out-of-range ids like TensorFlow', async () => {
    const x = new Rng(5).normalArray(6 * 2 * 3);
    const run = () => tf.unsortedSegmentSum(tf.tensor3d(x, [6, 2, 3]), tf.tensor1d([0, 2, 2, 7, 1, 0], 'int32'), 4);
    const [cpu] = await onBackend('cpu', run);
    const [wasm] = await onBackend('wasm', run);
    expect(relError(wasm, cpu)).toBeLessThan(1e-6);
  });

  it('does not leak tensors across gradient calls', async () => {
    await onBackend('wasm', () => tf.zeros([1]));
    const x = tf.randomNormal([2, 8, 8, 3]);
    const w = tf.variable(tf.randomNormal([3, 3, 3, 4]));
    const step = () => tf.tidy(() => tf.variableGrads(() => tf.sum(tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 2, 'same'))).grads);
    tf.dispose(step());
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) tf.dispose(step());
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, w]);
  });
});
