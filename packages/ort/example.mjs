// example.mjs, shipped in the package: node node_modules/@lowdiff/ort/example.mjs
// (in the repository, after npm run build: node packages/ort/example.mjs)
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@lowdiff/backend';
import { loadCheckpoint } from '@lowdiff/model';
import { OrtDenoiser } from '@lowdiff/ort';
import { baselinePlan, runCascade } from '@lowdiff/sampler';

await initBackend({ backend: 'wasm' });
// The checkpoint apps/pixel ships, or any other: node example.mjs <file.safetensors>
const checkpoint = process.argv[2] ?? 'apps/pixel/checkpoints/fmnist-lowdiff.safetensors';
const { model } = await loadCheckpoint(checkpoint, { use: 'ema' });

// The same D(x; sigma) on ONNX Runtime: every stage exported from the model's own definition.
const ort = await OrtDenoiser.create(model, { threads: 2 });
const x = tf.randomNormal([4, 32, 32, 1], 0, 10);
const call = { resolution: 32, classLabels: tf.tensor1d([0, 1, 2, 3], 'int32') };
const [a, b] = [model.denoise(x, 10, call), await ort.denoise(x, 10, call)];
console.log('max |tfjs - ort|:', tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);

// The sampler drives it like the tfjs model.
const result = await runCascade(ort, baselinePlan(32, 18, 'heun'), { count: 8, seed: 0, classLabels: [0, 1, 2, 3, 4, 5, 6, 7] });
console.log('samples', result.images.shape, 'NFE', result.nfe);
await ort.dispose();
