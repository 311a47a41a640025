// example.mjs, shipped in the package: node node_modules/@lowdiff/backend/example.mjs
// (in the repository, after npm run build: node packages/backend/example.mjs)
import * as tf from '@tensorflow/tfjs';
import { initBackend, Rng } from '@lowdiff/backend';

const { backend, skipped } = await initBackend({ backend: 'auto' });
console.log(`running on ${backend}`, skipped.map((s) => s.backend));

const rng = new Rng(0);
const x = rng.normalTensor([8, 32, 32, 3]);
const w = tf.variable(rng.normalTensor([3, 3, 3, 16], 0, 0.1));
const opt = tf.train.adam(1e-3);
for (let step = 0; step < 10; step++) {
  const loss = opt.minimize(() => tf.mean(tf.square(tf.conv2d(x, w, 1, 'same'))), true);
  console.log(step, loss.dataSync()[0]);
  loss.dispose();
}
