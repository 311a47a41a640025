import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { initBackend, Rng } from '../src';
import { onBackend, relError } from './helpers';

// A miniature of what a UNet / DiT step exercises: strided and 1x1 convs, group norm (moments),
// SiLU, nearest upsampling, skip concat, self-attention (batched matmul + softmax), an embedding
// lookup (gather), and Adam.
const SHAPES: Record<string, number[]> = {
  stem: [3, 3, 1, 8],
  down: [3, 3, 8, 16],
  qkv: [16, 48],
  up: [3, 3, 24, 8],
  head: [1, 1, 8, 1],
  emb: [4, 16],
};

function makeParams(seed: number): Record<string, tf.Variable> {
  const rng = new Rng(seed);
  const out: Record<string, tf.Variable> = {};
  for (const [name, shape] of Object.entries(SHAPES)) {
    const fanIn = shape.slice(0, -1).reduce((a, b) => a * b, 1);
    out[name] = tf.variable(rng.normalTensor(shape, 0, 1 / Math.sqrt(fanIn)), true, name);
  }
  return out;
}

function groupNorm(x: tf.Tensor4D, groups: number): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  const g = tf.reshape(x, [n, h, w, groups, c / groups]);
  const { mean, variance } = tf.moments(g, [1, 2, 4], true);
  return tf.reshape(tf.div(tf.sub(g, mean), tf.sqrt(tf.add(variance, 1e-5))), [n, h, w, c]);
}

const silu = (x: tf.Tensor) => tf.mul(x, tf.sigmoid(x));

function forward(p: Record<string, tf.Variable>, x: tf.Tensor4D, labels: tf.Tensor1D): tf.Tensor4D {
  const [n] = x.shape;
  const h0 = silu(groupNorm(tf.conv2d(x, p.stem as tf.Tensor4D, 1, 'same'), 2)) as tf.Tensor4D;
  let h1 = tf.conv2d(h0, p.down as tf.Tensor4D, 2, 'same');
  h1 = tf.add(h1, tf.reshape(tf.gather(p.emb, labels), [n, 1, 1, 16]));
  const [, hh, ww, c] = h1.shape;
  const tokens = tf.reshape(silu(groupNorm(h1, 4)), [n, hh * ww, c]);
  const qkv = tf.reshape(tf.matMul(tf.reshape(tokens, [n * hh * ww, c]), p.qkv), [n, hh * ww, 3 * c]);
  const [q, k, v] = tf.split(qkv, 3, 2);
  const att = tf.softmax(tf.div(tf.matMul(q, k, false, true), Math.sqrt(c)));
  const attended = tf.reshape(tf.matMul(att, v), [n, hh, ww, c]);
  const h2 = tf.add(h1, attended) as tf.Tensor4D;
  const up = tf.image.resizeNearestNeighbor(h2, [hh * 2, ww * 2]);
  const merged = tf.concat([up, h0], 3);
  const h3 = silu(tf.conv2d(merged, p.up as tf.Tensor4D, 1, 'same')) as tf.Tensor4D;
  return tf.conv2d(h3, p.head as tf.Tensor4D, 1, 'same');
}

/** Images of oriented stripes; the target is the image blurred by a 2x2 average pool and upsampled back. */
function batch(rng: Rng, n: number): { x: tf.Tensor4D; y: tf.Tensor4D; labels: tf.Tensor1D } {
  return tf.tidy(() => {
    const labels = Array.from({ length: n }, () => rng.int(4));
    const px = new Float32Array(n * 8 * 8);
    labels.forEach((l, b) => {
      const phase = rng.uniform() * 6.28;
      for (let i = 0; i < 8; i++)
        for (let j = 0; j < 8; j++) px[b * 64 + i * 8 + j] = Math.sin((l % 2 ? i : j) * (1 + l) * 0.7 + phase);
    });
    const x = tf.tensor4d(px, [n, 8, 8, 1]);
    const y = tf.image.resizeNearestNeighbor(tf.avgPool(x, 2, 2, 'valid'), [8, 8]) as tf.Tensor4D;
    return { x, y, labels: tf.tensor1d(labels, 'int32') };
  });
}

function train(steps: number, seed: number, epsilon = 1e-7): { losses: number[]; weights: tf.Tensor[] } {
  const params = makeParams(seed);
  const rng = new Rng(seed + 1);
  const opt = tf.train.adam(3e-3, 0.9, 0.999, epsilon);
  const losses: number[] = [];
  for (let s = 0; s < steps; s++) {
    const { x, y, labels } = batch(rng, 8);
    const loss = opt.minimize(() => tf.mean(tf.square(tf.sub(forward(params, x, labels), y))) as tf.Scalar, true);
    losses.push(loss!.dataSync()[0]);
    tf.dispose([x, y, labels, loss!]);
  }
  opt.dispose();
  return { losses, weights: Object.values(params) };
}

describe('a small training step', () => {
  it('gives the same gradients on wasm and cpu', async () => {
    const run = () => {
      const params = makeParams(5);
      const { x, y, labels } = batch(new Rng(6), 4);
      const { grads } = tf.variableGrads(() => tf.mean(tf.square(tf.sub(forward(params, x, labels), y))) as tf.Scalar);
      tf.dispose(Object.values(params));
      return Object.keys(SHAPES).map((k) => grads[k]);
    };
    const cpu = await onBackend('cpu', run);
    const wasm = await onBackend('wasm', run);
    cpu.forEach((c, i) => expect(relError(wasm[i], c)).toBeLessThan(1e-4));
  });

  // Adam's first steps move every weight by about lr * sign(g), so a gradient within float
  // rounding of zero could flip; an epsilon above that noise keeps the comparison meaningful.
  it('gives the same weights on wasm and cpu after 3 Adam steps', async () => {
    const run = () => {
      const { weights } = train(3, 11, 1e-4);
      const copies = weights.map((w) => w.clone());
      tf.dispose(weights);
      return copies;
    };
    const cpu = await onBackend('cpu', run);
    const wasm = await onBackend('wasm', run);
    expect(cpu).toHaveLength(Object.keys(SHAPES).length);
    cpu.forEach((c, i) => expect(relError(wasm[i], c)).toBeLessThan(1e-3));
  });

  it('trains on wasm: the loss falls over 50 Adam steps', async () => {
    await initBackend({ backend: 'wasm' });
    const { losses, weights } = train(50, 21);
    tf.dispose(weights);
    const first = losses.slice(0, 5).reduce((a, b) => a + b) / 5;
    const last = losses.slice(-5).reduce((a, b) => a + b) / 5;
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(last).toBeLessThan(first * 0.5);
  });
});
