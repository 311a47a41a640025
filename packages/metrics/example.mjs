// example.mjs, shipped in the package: node node_modules/@lowdiff/metrics/example.mjs
// (in the repository, after npm run build: node packages/metrics/example.mjs)
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { downsampleArea } from '@lowdiff/data';
import { initBackend, Rng } from '@lowdiff/backend';
import {
  collectFeatures,
  fid,
  formatScore,
  inceptionScore,
  kid,
  loadStats,
  lowResConsistency,
  mergeStats,
  precisionRecall,
  readFeaturesNpy,
  saveStats,
  writeFeaturesNpy,
} from '@lowdiff/metrics';

await initBackend({ backend: 'wasm' });
const dir = await mkdtemp(join(tmpdir(), 'lowdiff-metrics-'));

// A stand-in extractor (per-channel mean and max, a fixed linear "classifier" head). Real ones -
// the in-repo MNIST-family classifier, Inception-v3 - implement the same interface.
const head = tf.randomNormal([6, 4], 0, 20, 'float32', 7);
const toy = {
  name: 'toy-pool',
  featureDim: 6,
  numClasses: 4,
  features: (images) =>
    tf.tidy(() => {
      const features = tf.concat([tf.mean(images, [1, 2]), tf.max(images, [1, 2])], 1);
      return { features, logits: tf.matMul(features, head) };
    }),
};

// Batches of NHWC images in [-1, 1]; "generated" ones slightly brighter.
function* images(seed, batches, shift) {
  const rng = new Rng(seed);
  for (let i = 0; i < batches; i++) yield tf.tidy(() => tf.clipByValue(tf.add(rng.normalTensor([64, 16, 16, 3], 0, 0.5), shift), -1, 1));
}

// Reference statistics computed in two shards (e.g. on two machines), saved, then merged.
const shardA = await collectFeatures(toy, images(1, 4, 0), { keepFeatures: true, disposeInputs: true });
const shardB = await collectFeatures(toy, images(2, 4, 0), { keepFeatures: true, disposeInputs: true });
await saveStats(join(dir, 'real-a.ldstats'), shardA.stats, { dataset: 'noise', shard: 0 });
await saveStats(join(dir, 'real-b.ldstats'), shardB.stats, { dataset: 'noise', shard: 1 });
const real = mergeStats(await loadStats(join(dir, 'real-a.ldstats')), await loadStats(join(dir, 'real-b.ldstats')));

const gen = await collectFeatures(toy, images(3, 8, 0.02), { keepFeatures: true, keepLogits: true, disposeInputs: true });
console.log(formatScore(fid({ real, generated: gen.stats })));

// KID and precision/recall need the raw features; here from an .npy round trip.
await writeFeaturesNpy(join(dir, 'real-a.npy'), shardA.features);
const realFeatures = await readFeaturesNpy(join(dir, 'real-a.npy'), 'toy-pool');
console.log(formatScore(kid({ real: realFeatures, generated: gen.features }, { subsets: 20, subsetSize: 200, seed: 0 }), 5));
const pr = precisionRecall({ real: realFeatures, generated: gen.features }, { k: 3 });
console.log(formatScore(pr.precision), '|', formatScore(pr.recall));
console.log(formatScore(inceptionScore(gen.logits, { splits: 4 }))); // ~1: the toy head barely tells noise images apart

// Cascade consistency: the final 16x16 images against a first stage at 8x8.
const final = tf.tidy(() => tf.clipByValue(new Rng(4).normalTensor([8, 16, 16, 3], 0, 0.5), -1, 1));
const firstStage = tf.tidy(() => tf.add(downsampleArea(final, 2), new Rng(5).normalTensor([8, 8, 8, 3], 0, 0.05)));
console.log(formatScore(lowResConsistency(final, firstStage), 2), 'dB');
console.log('files in', dir);
