// example.mjs, shipped in the package: node node_modules/@lowdiff/data/example.mjs
// (in the repository, after npm run build: node packages/data/example.mjs)
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@lowdiff/backend';
import { batches, classCounts, loadDataset, pyramid } from '@lowdiff/data';

await initBackend({ backend: 'wasm' });

let t = performance.now();
const train = await loadDataset('fashion-mnist', { split: 'train' }); // 32x32, padded
console.log(`${train.name}: ${train.count} images ${train.height}x${train.width}x${train.channels}`,
  `in ${(performance.now() - t).toFixed(0)} ms; per class ${classCounts(train).join(' ')}`);
t = performance.now();
const mnist = await loadDataset('mnist', { split: 'test' });
console.log(`${mnist.name}: ${mnist.count} images in ${(performance.now() - t).toFixed(0)} ms`);

// Seeded batches with a resolution pyramid per batch; stop after 3 and remember where.
let resumeAt = { epoch: 0, step: 0 };
for await (const b of batches(train, { batchSize: 64, seed: 1, epochs: 'infinite' })) {
  const summary = tf.tidy(() =>
    pyramid(b.images, [8, 16, 32]).map((l) => `${l.shape[1]}px std ${tf.moments(l).variance.sqrt().dataSync()[0].toFixed(3)}`),
  );
  console.log(`step ${b.globalStep}: labels ${Array.from(b.labels.dataSync().slice(0, 8)).join(',')}...`, summary.join(', '));
  tf.dispose([b.images, b.labels]);
  resumeAt = b.next;
  if (b.globalStep === 2) break;
}

// A new iterator started at the saved cursor continues with the same batch 3.
const it = batches(train, { batchSize: 64, seed: 1, epochs: 'infinite', start: resumeAt });
const { value } = await it.next();
console.log(`resumed at`, resumeAt, `-> step ${value.globalStep}, first indices ${Array.from(value.indices.slice(0, 4))}`);
tf.dispose([value.images, value.labels]);
await it.return();
console.log(`tensors left: ${tf.memory().numTensors}`);
