import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { Rng } from '../src';
import { onBackend, relError } from './helpers';

// [a shape, b shape, transposeA, transposeB]: every path of the wasm BatchMatMul patch (plain
// 2-D, transposed 2-D, split short batch, grouped long batch, broadcast batch, tiny products).
const CASES: [number[], number[], boolean, boolean][] = [
  [[40, 30], [30, 20], false, false],
  [[30, 40], [30, 20], true, false],
  [[40, 30], [20, 30], false, true],
  [[30, 40], [20, 30], true, true],
  [[3, 40, 30], [3, 20, 30], false, true],
  [[6, 33, 17], [6, 17, 21], false, false],
  [[6, 17, 33], [6, 21, 17], true, true],
  [[2, 5, 33, 17], [2, 5, 33, 21], true, false],
  [[9, 4, 3], [9, 3, 5], false, false],
];

describe('BatchMatMul on wasm matches cpu', () => {
  for (const [as, bs, ta, tb] of CASES) {
    it(`${JSON.stringify(as)} x ${JSON.stringify(bs)} transposeA ${ta} transposeB ${tb}, with gradients`, async () => {
      const rng = new Rng(11);
      const a = rng.normalArray(as.reduce((p, d) => p * d, 1));
      const b = rng.normalArray(bs.reduce((p, d) => p * d, 1));
      const run = () => {
        const at = tf.tensor(a, as);
        const bt = tf.tensor(b, bs);
        const f = (x: tf.Tensor, y: tf.Tensor) => {
          const p = tf.matMul(x, y, ta, tb);
          return tf.sum(tf.mul(p, tf.sin(p)));
        };
        return [tf.matMul(at, bt, ta, tb), ...tf.grads(f)([at, bt])];
      };
      const cpu = await onBackend('cpu', run);
      const wasm = await onBackend('wasm', run);
      for (let i = 0; i < 3; i++) expect(relError(wasm[i], cpu[i]), ['product', 'da', 'db'][i]).toBeLessThan(1e-5);
    });
  }
});

it('a batch broadcast against one matrix matches cpu', async () => {
  const rng = new Rng(12);
  const a = rng.normalArray(33 * 17);
  const b = rng.normalArray(6 * 17 * 21);
  const run = () => tf.matMul(tf.tensor(a, [1, 33, 17]), tf.tensor(b, [6, 17, 21]));
  const [cpu] = await onBackend('cpu', run);
  const [wasm] = await onBackend('wasm', run);
  expect(relError(wasm, cpu)).toBeLessThan(1e-5);
});

describe('copies the wasm backend no longer makes', () => {
  it('clone and same-dtype cast share data, stay independent of later disposal, and leak nothing', async () => {
    await onBackend('wasm', () => tf.zeros([1]));
    const before = tf.memory().numTensors;
    const x = tf.tensor1d([1, 2, 3]);
    const c = tf.clone(x);
    const same = tf.cast(x, 'float32');
    const floats = tf.tensor1d([1.7, -2.2]);
    const int = tf.cast(floats, 'int32');
    x.dispose();
    expect(Array.from(c.dataSync())).toEqual([1, 2, 3]);
    expect(Array.from(same.dataSync())).toEqual([1, 2, 3]);
    expect(Array.from(int.dataSync())).toEqual([1, -2]);
    expect(int.dtype).toBe('int32');
    tf.dispose([c, same, int, floats]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('a variable cloned before an assign keeps the old value', async () => {
    await onBackend('wasm', () => tf.zeros([1]));
    const v = tf.variable(tf.tensor1d([1, 2]));
    const snapshot = tf.clone(v);
    v.assign(tf.tensor1d([5, 6]));
    expect(Array.from(snapshot.dataSync())).toEqual([1, 2]);
    expect(Array.from(v.dataSync())).toEqual([5, 6]);
    tf.dispose([v, snapshot]);
  });
});

describe('slice, split, concat and leading-axis sums on wasm match cpu', () => {
  const rng = new Rng(13);
  const x = rng.normalArray(2 * 5 * 6 * 8);
  const wide = rng.normalArray(3 * 4 * 70);
  const ops: [string, () => tf.Tensor | tf.Tensor[]][] = [
    ['slice inner box', () => tf.slice(tf.tensor(x, [2, 5, 6, 8]), [1, 1, 2, 3], [1, 3, 3, 4])],
    ['slice last axis', () => tf.slice(tf.tensor(x, [2, 5, 6, 8]), [0, 0, 0, 5], [-1, -1, -1, 3])],
    ['slice contiguous', () => tf.slice(tf.tensor(x, [2, 5, 6, 8]), [1, 0, 0, 0], [1, -1, -1, -1])],
    ['slice long rows', () => tf.slice(tf.tensor(wide, [3, 4, 70]), [0, 1, 0], [3, 2, 70])],
    ['slice int32', () => tf.cast(tf.slice(tf.tensor(x.map((v) => Math.round(v * 10)), [2, 5, 6, 8], 'int32'), [0, 1, 1, 1], [2, 2, 2, 2]), 'float32')],
    ['split equal last axis', () => tf.split(tf.tensor(x, [2, 5, 6, 8]), 2, 3)],
    ['split unequal last axis', () => tf.split(tf.tensor(x, [2, 5, 6, 8]), [3, 5], 3)],
    ['split middle axis', () => tf.split(tf.tensor(x, [2, 5, 6, 8]), [2, 4], 2)],
    ['concat equal last axis', () => tf.concat([tf.tensor(x, [2, 5, 6, 8]), tf.neg(tf.tensor(x, [2, 5, 6, 8]))], 3)],
    ['concat unequal last axis', () => tf.concat([tf.tensor(x, [2, 5, 6, 8]), tf.slice(tf.tensor(x, [2, 5, 6, 8]), [0, 0, 0, 0], [-1, -1, -1, 3])], 3)],
    ['concat three, axis 1', () => tf.concat([tf.tensor(wide, [3, 4, 70]), tf.tensor(wide, [3, 4, 70]), tf.tensor(wide, [3, 4, 70])], 1)],
    ['concat gradients', () => tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.sin(tf.concat([a, b], 3))))([tf.tensor(x, [2, 5, 6, 8]), tf.tensor(x, [2, 5, 6, 8])])],
    ['sum leading axes', () => tf.sum(tf.tensor(x, [10, 6, 8]), [0, 1])],
    ['sum leading axes, short block', () => tf.sum(tf.tensor(wide, [3, 4, 70]), [0, 1])],
    ['sum leading axes, keepDims', () => tf.sum(tf.tensor(x, [2, 5, 6, 8]), [1, 0, 2], true)],
    ['sum other axes', () => tf.sum(tf.tensor(x, [2, 5, 6, 8]), [1, 2])],
  ];
  for (const [name, op] of ops)
    it(name, async () => {
      const cpu = await onBackend('cpu', op);
      const wasm = await onBackend('wasm', op);
      expect(wasm.length).toBe(cpu.length);
      for (let i = 0; i < cpu.length; i++) expect(relError(wasm[i], cpu[i])).toBeLessThan(1e-6);
    });
});
