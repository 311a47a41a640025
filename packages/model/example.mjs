// example.mjs, shipped in the package: node node_modules/@lowdiff/model/example.mjs
// (in the repository, after npm run build: node packages/model/example.mjs)
import * as tf from '@tensorflow/tfjs';
import { initBackend, Rng } from '@lowdiff/backend';
import { EdmDenoiser, REFERENCE_UNET_32, describeModel, formatDescription, saveCheckpoint, loadCheckpoint } from '@lowdiff/model';

await initBackend({ backend: 'wasm' });
const model = new EdmDenoiser(REFERENCE_UNET_32, /* seed */ 0);
console.log(formatDescription(describeModel(model)));

const rng = new Rng(1);
const labels = tf.tensor1d([3, 7], 'int32');
// First stage: 8x8 from noise, no condition.
const x8 = rng.normalTensor([2, 8, 8, 1], 0, 80);
const d8 = model.denoise(x8, 80, { resolution: 8, classLabels: labels });
// Refinement stage: 16x16, conditioned on the upsampled 8x8 result, noise-augmented.
const cond = tf.image.resizeBilinear(d8, [16, 16]);
const d16 = model.denoise(rng.normalTensor([2, 16, 16, 1], 0, 80), 80, { resolution: 16, condition: cond, sigmaAug: 0.05, classLabels: labels });
console.log(d16.shape, model.flopsPerCall(16) / model.flopsPerCall(32));

await saveCheckpoint('out/example.safetensors', model, { info: { note: 'untrained' } });
const { model: again } = await loadCheckpoint('out/example.safetensors');
console.log(again.parameterCount() === model.parameterCount());
