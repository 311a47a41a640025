import * as tf from '@tensorflow/tfjs';
import { initBackend, Rng } from '@lowdiff/backend';
import { KlAutoencoder } from '../src/index';
import { encoderForward, decoderForward, splitMoments } from '../src/vae-network';

await initBackend({ backend: 'wasm' });
const ae = new KlAutoencoder({ channels: [16, 32, 32] }, 0);
const x = new Rng(0).normalTensor([16, 32, 32, 1]) as tf.Tensor4D;
const ctx = { store: ae.store, training: true, dropout: 0 };
const vars = ae.store.trainable();
function time(name: string, f: () => void, n = 5) {
  f();
  const t = performance.now();
  for (let i = 0; i < n; i++) f();
  console.log(name, ((performance.now() - t) / n).toFixed(1), 'ms');
}
time('fwd', () => tf.tidy(() => { const m = encoderForward(ctx, ae.architecture, x); const y = decoderForward(ctx, ae.architecture, splitMoments(m, 4).mean); y.dataSync(); }));
time('fwd+bwd', () => tf.tidy(() => { const { value, grads } = tf.variableGrads(() => tf.mean(decoderForward(ctx, ae.architecture, splitMoments(encoderForward(ctx, ae.architecture, x), 4).mean)) as tf.Scalar, vars); value.dataSync(); tf.dispose(grads); }));
// profile
const prof = await tf.profile(() => tf.tidy(() => { const { value, grads } = tf.variableGrads(() => tf.mean(decoderForward(ctx, ae.architecture, splitMoments(encoderForward(ctx, ae.architecture, x), 4).mean)) as tf.Scalar, vars); value.dataSync(); tf.dispose(grads); }));
const byName = new Map<string, number>();
for (const k of prof.kernels) byName.set(k.name, (byName.get(k.name) ?? 0) + (k.kernelTimeMs as number));
console.log([...byName].sort((a, b) => b[1] - a[1]).slice(0, 20));
const fl = { total: 0 };
tf.tidy(() => { const c2 = { ...ctx, flops: fl }; decoderForward(c2, ae.architecture, splitMoments(encoderForward(c2, ae.architecture, x), 4).mean); });
console.log('MFLOP/image', fl.total / 1e6);
for (const cfg of [{ channels: [32, 32, 32] }, { channels: [32, 64, 64] }, { channels: [8, 16, 32] }, {channels:[16,32,64]}]) {
  const a = new KlAutoencoder(cfg, 0);
  const c = { store: a.store, training: true, dropout: 0, flops: { total: 0 } };
  tf.tidy(() => decoderForward(c, a.architecture, splitMoments(encoderForward(c, a.architecture, x), 4).mean));
  const v = a.store.trainable();
  const c3 = { store: a.store, training: true, dropout: 0 };
  console.log(JSON.stringify(cfg), 'MFLOP/img', (c.flops.total / 1e6).toFixed(1), 'params', a.parameterCount());
  time(' fwd+bwd', () => tf.tidy(() => { const { value, grads } = tf.variableGrads(() => tf.mean(decoderForward(c3, a.architecture, splitMoments(encoderForward(c3, a.architecture, x), 4).mean)) as tf.Scalar, v); value.dataSync(); tf.dispose(grads); }), 3);
}
