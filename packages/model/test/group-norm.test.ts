import * as tf from '@tensorflow/tfjs';
import { initBackend, Rng } from '@lowdiff/backend';
import { beforeAll, expect, it } from 'vitest';
import { groupNorm, ParamStore, tfjsOps } from '../src';

beforeAll(() => initBackend({ backend: 'wasm' }));

/** The textbook definition: normalise each (sample, group) by its mean and variance. */
function reference(x: tf.Tensor4D, groups: number): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  const g = tf.reshape(x, [n, h, w, groups, c / groups]);
  const { mean, variance } = tf.moments(g, [1, 2, 4], true);
  return tf.reshape(tf.div(tf.sub(g, mean), tf.sqrt(tf.add(variance, 1e-5))), [n, h, w, c]);
}

it('matches the textbook GroupNorm, values and gradients, on off-centre inputs', () => {
  const rng = new Rng(1);
  const x = tf.add(rng.normalTensor([3, 8, 8, 16], 0, 2), 3) as tf.Tensor4D;
  const weights = rng.normalTensor([3, 8, 8, 16]);
  const store = new ParamStore(0);
  const ours = (t: tf.Tensor) => groupNorm({ store, training: false, dropout: 0 }, 'gn', t as tf.Tensor4D, 4);
  const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(ours(x), reference(x, 4)))).dataSync()[0]);
  expect(diff).toBeLessThan(1e-4);
  const g1 = tf.grad((t) => tf.sum(tf.mul(ours(t), weights)))(x);
  const g2 = tf.grad((t) => tf.sum(tf.mul(reference(t as tf.Tensor4D, 4), weights)))(x);
  const gdiff = tf.max(tf.abs(tf.sub(g1, g2))).dataSync()[0] / tf.max(tf.abs(g2)).dataSync()[0];
  expect(gdiff).toBeLessThan(1e-3);
  tf.dispose([x, weights, g1, g2]);
  store.dispose();
});

it('has the textbook gradients for the input, scale and shift, on the wasm and cpu backends', async () => {
  for (const backend of ['wasm', 'cpu'] as const) {
    await initBackend({ backend });
    const rng = new Rng(2);
    const x = tf.add(rng.normalTensor([2, 4, 4, 12], 0, 3), -2) as tf.Tensor4D;
    const gamma = rng.normalTensor([12], 1, 0.5);
    const beta = rng.normalTensor([12]);
    const weights = rng.normalTensor([2, 4, 4, 12]);
    const loss = (f: (x: tf.Tensor4D, g: tf.Tensor, b: tf.Tensor) => tf.Tensor) => (t: tf.Tensor, g: tf.Tensor, b: tf.Tensor) =>
      tf.sum(tf.mul(f(t as tf.Tensor4D, g, b), weights));
    const ours = tf.grads(loss((t, g, b) => tfjsOps.groupNorm(t, g, b, 3, 1e-5) as tf.Tensor))([x, gamma, beta]);
    const textbook = tf.grads(loss((t, g, b) => tf.add(tf.mul(reference(t, 3), g), b)))([x, gamma, beta]);
    for (let i = 0; i < 3; i++) {
      const rel = tf.tidy(() => tf.max(tf.abs(tf.sub(ours[i], textbook[i]))).dataSync()[0] / tf.max(tf.abs(textbook[i])).dataSync()[0]);
      expect(rel, `${backend}, gradient ${['x', 'gamma', 'beta'][i]}`).toBeLessThan(1e-4);
    }
    tf.dispose([x, gamma, beta, weights, ...ours, ...textbook]);
  }
  await initBackend({ backend: 'wasm' });
});
