/**
 * Sanity anchors for the classifier-FID: the Fashion-MNIST (or MNIST) test split against the
 * train split, against a blurred test split, and against noise, with the shipped extractor.
 *
 *   npx tsx --conditions=@lowdiff/source tools/metrics-anchors.ts [--data fashion-mnist] [--json]
 */
import * as tf from '@tensorflow/tfjs';
import { parseArgs } from 'node:util';
import { initBackend, Rng } from '@lowdiff/backend';
import { downsampleArea, loadDataset, toTensor, upsample, type ImageDataset } from '@lowdiff/data';
import { collectFeatures, fid, kid, loadShippedClassifier, type FeatureExtractor } from '@lowdiff/metrics';

const { values: args } = parseArgs({ options: { data: { type: 'string', default: 'fashion-mnist' }, json: { type: 'boolean', default: false } } });
await initBackend({ backend: 'wasm' });
const name = args.data === 'mnist' ? 'classifier-mnist' : 'classifier-fmnist';
const { extractor } = await loadShippedClassifier(name);
const train = await loadDataset(args.data!, { split: 'train', size: 32 });
const test = await loadDataset(args.data!, { split: 'test', size: 32 });

function* batchesOf(d: ImageDataset, map: (x: tf.Tensor4D, start: number) => tf.Tensor4D = (x) => x): Generator<tf.Tensor4D> {
  for (let s = 0; s < d.count; s += 500) {
    const x = toTensor(d, Array.from({ length: Math.min(500, d.count - s) }, (_, i) => s + i));
    const y = tf.tidy(() => map(x, s));
    if (y !== x) x.dispose();
    yield y;
  }
}
const features = (e: FeatureExtractor, it: Iterable<tf.Tensor4D>) => collectFeatures(e, it, { keepFeatures: true, disposeInputs: true });
const ref = await features(extractor, batchesOf(test));
const blurred = (x: tf.Tensor4D) => upsample(downsampleArea(x, 4), 32, 'bilinear');
const rng = new Rng(0);
const noise = (x: tf.Tensor4D) => rng.uniformTensor(x.shape, -1, 1) as tf.Tensor4D;
const rows = [];
for (const [label, set] of [
  [`${args.data} train split (${train.count})`, batchesOf(train)],
  [`test split blurred (area 4x down, bilinear up)`, batchesOf(test, blurred)],
  [`uniform noise (${test.count})`, batchesOf(test, noise)],
] as const) {
  const got = await features(extractor, set);
  rows.push({ against: label, fid: fid({ real: ref.stats, generated: got.stats }).value, kid: kid({ real: ref.features!, generated: got.features! }, { subsets: 50 }).value });
}
if (args.json) console.log(JSON.stringify({ extractor: name, reference: test.name, rows }, null, 2));
else {
  console.log(`${name}, reference ${test.name} (${test.count} images)`);
  console.log('| test split against | FID | KID |');
  console.log('|---|---|---|');
  for (const r of rows) console.log(`| ${r.against} | ${r.fid.toFixed(3)} | ${r.kid.toFixed(4)} |`);
}
