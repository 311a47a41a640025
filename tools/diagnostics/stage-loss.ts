/**
 * How well does each stage of a unified model denoise at each noise level? Prints EDM's weighted
 * loss on held-out test images, per stage and sigma, for the conditioned stages at several
 * condition-noise levels and for the unconditioned mode at the same resolution. A conditioned
 * stage should beat the unconditioned one wherever the condition carries information; where it
 * does not, that stage is under-trained at those levels.
 *
 *   npx tsx --conditions=@lowdiff/source tools/diagnostics/stage-loss.ts [checkpoint] [count]
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@lowdiff/backend';
import { downsampleArea, loadDataset, toTensor } from '@lowdiff/data';
import { loadModelForSampling, sizeOptions } from '@lowdiff/cli-kit';
import { edmLossWeight } from '@lowdiff/schedule';
import { buildCondition } from '@lowdiff/trainer';

const [checkpoint = 'apps/pixel/checkpoints/fmnist-lowdiff.safetensors', countArg = '256'] = process.argv.slice(2);
const count = Number(countArg);
await initBackend({ backend: 'auto' });
const { model } = await loadModelForSampling(checkpoint);
const resolutions = model.resolutions;
const top = resolutions[resolutions.length - 1];
const test = await loadDataset('fashion-mnist', { split: 'test', ...sizeOptions(top) });
const picked = Array.from({ length: count }, (_, i) => i);
const full = toTensor(test, picked);
const labels = tf.tensor1d(picked.map((i) => test.labels[i]), 'int32');
const sigmas = [0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 3, 5, 10];
const augs = [0, 0.25, 0.5, 1];
const seeded = (shape: readonly number[], seed: number): tf.Tensor4D => tf.randomNormal<tf.Rank.R4>(shape as [number, number, number, number], 0, 1, 'float32', seed);

function loss(y: tf.Tensor4D, sigma: number, condition: tf.Tensor4D | null, sigmaAug: number, seed: number): number {
  return tf.tidy(() => {
    const n = y.shape[0];
    const noisy = tf.add(y, tf.mul(seeded(y.shape, seed), sigma)) as tf.Tensor4D;
    const d = model.denoise(noisy, new Float32Array(n).fill(sigma), { resolution: y.shape[1], condition, sigmaAug, classLabels: labels });
    return edmLossWeight(sigma, model.sigmaData) * (tf.mean(tf.square(tf.sub(d, y))).dataSync()[0]);
  });
}

console.log(`weighted EDM loss on ${count} test images (rows: stage; columns: sigma)`);
console.log(['stage'.padEnd(22), ...sigmas.map((s) => String(s).padStart(7))].join(' '));
for (let k = 0; k < resolutions.length; k++) {
  const r = resolutions[k];
  const y = r === top ? full : downsampleArea(full, { size: r });
  const row = (name: string, f: (sigma: number, seed: number) => number) =>
    console.log([name.padEnd(22), ...sigmas.map((s, j) => f(s, 1000 * k + j).toFixed(4).padStart(7))].join(' '));
  row(`${r} unconditioned`, (s, seed) => loss(y, s, null, 0, seed));
  if (k === 0) continue;
  for (const a of augs) {
    const cond = buildCondition(y, resolutions[k - 1], 'bilinear', new Float32Array(count).fill(a), seeded(y.shape, 77));
    row(`${r}c aug ${a}`, (s, seed) => loss(y, s, cond, a, seed));
    cond.dispose();
  }
}
