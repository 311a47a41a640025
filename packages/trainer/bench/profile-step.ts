/**
 * Where a training step's time goes, per stage: tf.profile over one step (forward, backward,
 * Adam) of REFERENCE_UNET_32 at each stage, reporting kernels launched, summed kernel time and
 * the kernels that cost most. Kernel times include kernels nested in others (our wasm gradient
 * kernels, e.g. Conv2DBackpropFilter, run conv and matmul kernels), so at 16 and 32 their sum
 * exceeds the wall time; shares still rank where the time goes.
 *
 *   npx tsx --conditions=@lowdiff/source packages/trainer/bench/profile-step.ts [--batch 32] [--top 8] [--json]
 */
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@lowdiff/backend';
import { loadFashionMnist } from '@lowdiff/data';
import { REFERENCE_UNET_32 } from '@lowdiff/model';
import { Trainer, type TrainingConfigInput } from '../src';

const { values: args } = parseArgs({
  options: {
    batch: { type: 'string', default: '32' },
    top: { type: 'string', default: '8' },
    json: { type: 'boolean', default: false },
  },
});
await initBackend({ backend: 'wasm' });
const data = await loadFashionMnist({ split: 'train', size: 32, limit: 512 });
const stages: TrainingConfigInput['stages'] = [
  { resolution: 8, probability: 1, conditioned: false },
  { resolution: 16, probability: 1, conditioned: true },
  { resolution: 32, probability: 1, conditioned: true },
  { resolution: 32, probability: 1, conditioned: false },
];
const report = [];
for (const stage of stages) {
  const trainer = Trainer.create(REFERENCE_UNET_32, data, { stages: [stage], batchSize: Number(args.batch), steps: 10, warmupSteps: 0 });
  await trainer.run({ until: 1 }); // warm-up: first-call kernel setup is not a step's cost
  let wallMs = 0;
  const info = await tf.profile(async () => {
    const t0 = performance.now();
    await trainer.run({ until: 2 });
    wallMs = performance.now() - t0;
  });
  const byKernel = new Map<string, { ms: number; calls: number }>();
  let kernelMs = 0;
  for (const k of info.kernels) {
    const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
    kernelMs += ms;
    const e = byKernel.get(k.name) ?? { ms: 0, calls: 0 };
    e.ms += ms;
    e.calls++;
    byKernel.set(k.name, e);
  }
  const top = [...byKernel].sort((a, b) => b[1].ms - a[1].ms).slice(0, Number(args.top));
  report.push({
    stage: `${stage.resolution}${stage.conditioned ? ' conditioned' : ''}`,
    wallMs,
    kernels: info.kernels.length,
    kernelMs,
    top: top.map(([name, e]) => ({ name, ms: e.ms, calls: e.calls, share: e.ms / kernelMs })),
  });
  trainer.dispose();
}
if (args.json) console.log(JSON.stringify({ batch: Number(args.batch), report }, null, 2));
else
  for (const r of report) {
    console.log(`\n${r.stage}, batch ${args.batch}: ${r.wallMs.toFixed(0)} ms wall, ${r.kernels} kernels, ${r.kernelMs.toFixed(0)} ms kernel time (nested kernels counted twice)`);
    console.log('| kernel | ms | calls | share of kernel time |');
    console.log('|---|---|---|---|');
    for (const k of r.top) console.log(`| ${k.name} | ${k.ms.toFixed(1)} | ${k.calls} | ${(100 * k.share).toFixed(1)} % |`);
  }
