// example.ts — from the repository root: npx tsx --conditions=@lowdiff/source packages/backend/example.ts
import * as tf from '@tensorflow/tfjs';
import { initBackend, Rng } from '@lowdiff/backend';

const { backend, skipped } = await initBackend({ backend: 'auto' });
console.log(`running on ${backend}`, skipped.map((s) => s.backend));

const rng = new Rng(0);
const x = rng.normalTensor([8, 32, 32, 3]) as tf.Tensor4D;
const w = tf.variable(rng.normalTensor([3, 3, 3, 16], 0, 0.1));
const opt = tf.train.adam(1e-3);
for (let step = 0; step < 10; step++) {
  const loss = opt.minimize(() => tf.mean(tf.square(tf.conv2d(x, w as tf.Tensor4D, 1, 'same'))) as tf.Scalar, true)!;
  console.log(step, loss.dataSync()[0]);
  loss.dispose();
}
