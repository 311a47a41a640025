// example.mjs, shipped in the package: node node_modules/@lowdiff/trainer/example.mjs
// (in the repository, after npm run build: node packages/trainer/example.mjs)
import { initBackend } from '@lowdiff/backend';
import { loadFashionMnist } from '@lowdiff/data';
import { Trainer } from '@lowdiff/trainer';

await initBackend({ backend: 'wasm' });
const data = await loadFashionMnist({ split: 'train', size: 16, fit: 'resize', limit: 2000 });
const trainer = Trainer.create(
  { kind: 'unet', channels: 1, resolution: 16, stageResolutions: [8, 16], numClasses: 10, baseChannels: 16 },
  data,
  {
    stages: [
      { resolution: 8, probability: 1, conditioned: false },
      { resolution: 16, probability: 1, conditioned: true },
      { resolution: 16, probability: 1, conditioned: false }, // the baseline
    ],
    steps: 20,
    batchSize: 16,
  },
);
const ctl = new AbortController();
process.once('SIGINT', () => ctl.abort());
await trainer.run({
  checkpointPath: 'out/example-train.safetensors',
  logPath: 'out/example-train.jsonl',
  signal: ctl.signal,
  onProgress: (r) => console.log(r.step, r.resolution, r.conditioned ? 'cond' : 'uncond', r.loss.toFixed(3)),
});
const again = await Trainer.resume('out/example-train.safetensors', data, { steps: 30 });
// The next 10 steps on ONNX Runtime (needs onnxruntime-node) over two worker threads: the same
// draws and, to float rounding, the same gradients as tfjs on one.
await again.run({ checkpointPath: 'out/example-train.safetensors', engine: 'ort', workers: 2 });
console.log('now at step', again.step);
