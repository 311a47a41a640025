/**
 * Trains the feature-extractor classifiers that ship in @lowdiff/metrics/weights:
 *
 *   npx tsx --conditions=@lowdiff/source tools/train/classifier.ts --data fashion-mnist --epochs 4
 *   npx tsx --conditions=@lowdiff/source tools/train/classifier.ts --data mnist --epochs 8
 *
 * Data: the fixed train split of @lowdiff/data, padded to 32x32; test accuracy on the test split
 * is measured after every epoch and recorded in the weights' metadata with the command.
 */
import * as tf from '@tensorflow/tfjs';
import { parseArgs } from 'node:util';
import { initBackend, Rng } from '@lowdiff/backend';
import { batches, loadDataset, toTensor } from '@lowdiff/data';
import { ClassifierExtractor } from '@lowdiff/metrics';

const { values: args } = parseArgs({
  options: {
    data: { type: 'string', default: 'fashion-mnist' },
    epochs: { type: 'string', default: '4' },
    lr: { type: 'string', default: '0.002' },
    batch: { type: 'string', default: '64' },
    seed: { type: 'string', default: '0' },
    shift: { type: 'string', default: '0' },
    out: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});
if (args.help || !['fashion-mnist', 'mnist'].includes(args.data!)) {
  console.log('usage: classifier.ts --data fashion-mnist|mnist [--epochs 4] [--lr 0.002] [--batch 64] [--out file]');
  process.exit(args.help ? 0 : 2);
}
const name = args.data === 'mnist' ? 'classifier-mnist' : 'classifier-fmnist';
const out = args.out ?? `packages/metrics/weights/${name}.safetensors`;
const command = `npx tsx --conditions=@lowdiff/source tools/train/classifier.ts --data ${args.data} --epochs ${args.epochs}${args.shift !== '0' ? ` --shift ${args.shift}` : ''}`;
await initBackend({ backend: 'wasm' });
const train = await loadDataset(args.data!, { split: 'train', size: 32 });
const test = await loadDataset(args.data!, { split: 'test', size: 32 });
const seed = Number(args.seed);
const net = new ClassifierExtractor({ name }, seed);
const rng = new Rng(seed + 1);
const opt = tf.train.adam(Number(args.lr));
const epochs = Number(args.epochs);
const t0 = performance.now();

function accuracy(): number {
  let correct = 0;
  for (let s = 0; s < test.count; s += 500) {
    const idx = Array.from({ length: Math.min(500, test.count - s) }, (_, i) => s + i);
    correct += tf.tidy(() => {
      const { logits } = net.features(toTensor(test, idx));
      return tf.sum(tf.cast(tf.equal(tf.argMax(logits!, 1), tf.tensor1d(idx.map((i) => test.labels[i]), 'int32')), 'int32')).dataSync()[0];
    });
  }
  return correct / test.count;
}

const shift = Number(args.shift);
/** Random translations by up to `shift` pixels (background fill): MNIST's train split is small. */
function augment(x: tf.Tensor4D): tf.Tensor4D {
  if (shift === 0) return x;
  return tf.tidy(() => {
    const [n, h, w] = x.shape;
    const padded = tf.pad(x, [[0, 0], [shift, shift], [shift, shift], [0, 0]], -1);
    const parts = Array.from({ length: n }, (_, i) => tf.slice(padded, [i, rng.int(2 * shift + 1), rng.int(2 * shift + 1), 0], [1, h, w, -1]));
    return tf.concat(parts, 0) as tf.Tensor4D;
  });
}

let acc = 0;
for (let epoch = 0; epoch < epochs; epoch++) {
  // Cosine decay over the run; Adam at a constant rate plateaus a point or two lower.
  let step = 0;
  const it = batches(train, { batchSize: Number(args.batch), seed, epochs: epoch + 1, start: { epoch, step: 0 }, dropLast: true });
  for await (const b of it) {
    const progress = (epoch + step / it.stepsPerEpoch) / epochs;
    (opt as unknown as { learningRate: number }).learningRate = Number(args.lr) * 0.5 * (1 + Math.cos(Math.PI * progress));
    const loss = opt.minimize(() => tf.losses.softmaxCrossEntropy(tf.oneHot(b.labels, 10), net.trainLogits(augment(b.images), rng)) as tf.Scalar, true, net.store.trainable());
    if (step % 200 === 0) console.log(`epoch ${epoch + 1} step ${step}/${it.stepsPerEpoch} loss ${loss!.dataSync()[0].toFixed(4)}`);
    tf.dispose([b.images, b.labels, loss!]);
    step++;
  }
  acc = accuracy();
  console.log(`epoch ${epoch + 1}: test accuracy ${(100 * acc).toFixed(2)} % (${((performance.now() - t0) / 60000).toFixed(1)} min)`);
}
await net.save(out, { command, epochs, testAccuracy: acc, testImages: test.count, trainImages: train.count, wallTimeSec: Math.round((performance.now() - t0) / 1000) });
console.log(`wrote ${out}: ${name}, test accuracy ${(100 * acc).toFixed(2)} %`);
