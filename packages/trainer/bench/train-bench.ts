/**
 * Training images/s per stage for the reference config (REFERENCE_UNET_32 on Fashion-MNIST),
 * each stage timed over the same number of steps, interleaved in one run.
 *
 *   npm run bench -w @lowdiff/trainer [-- --batch 64 --rounds 3 --json]
 */
import { parseArgs } from 'node:util';
import { initBackend } from '@lowdiff/backend';
import { loadFashionMnist } from '@lowdiff/data';
import { REFERENCE_UNET_32 } from '@lowdiff/model';
import { Trainer, type TrainingConfigInput } from '../src';

const { values: args } = parseArgs({
  options: {
    backend: { type: 'string', default: 'wasm' },
    batch: { type: 'string', default: '64' },
    rounds: { type: 'string', default: '3' },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (args.help) {
  console.log('usage: train-bench [--backend wasm] [--batch 64] [--rounds 3] [--json]');
  process.exit(0);
}
const info = await initBackend({ backend: args.backend as 'wasm' });
const data = await loadFashionMnist({ split: 'train', size: 32, limit: 4096 });
const stages: TrainingConfigInput['stages'] = [
  { resolution: 8, probability: 1, conditioned: false },
  { resolution: 16, probability: 1, conditioned: true },
  { resolution: 32, probability: 1, conditioned: true },
  { resolution: 32, probability: 1, conditioned: false },
];
const batchSize = Number(args.batch);
// One trainer per stage (a one-stage mix), stepped round-robin so machine noise hits all alike.
const trainers = stages.map((s) => Trainer.create(REFERENCE_UNET_32, data, { stages: [s], batchSize, steps: 1000, warmupSteps: 0 }));
const ms = stages.map(() => 0);
const rounds = Number(args.rounds);
for (const t of trainers) await t.run({ until: 1 }); // warm-up
for (let r = 0; r < rounds; r++)
  for (const [i, t] of trainers.entries()) {
    const t0 = performance.now();
    await t.run({ until: t.step + 1 });
    ms[i] += performance.now() - t0;
  }
const rows = stages.map((s, i) => ({ stage: `${s.resolution}${s.conditioned ? ' conditioned' : ''}`, imagesPerSec: (batchSize * rounds * 1000) / ms[i] }));
if (args.json) console.log(JSON.stringify({ backend: info.backend, batchSize, rounds, rows }, null, 2));
else {
  console.log(`backend ${info.backend}, REFERENCE_UNET_32, batch ${batchSize}, ${rounds} interleaved steps per stage`);
  console.log('| stage | training images/s |');
  console.log('|---|---|');
  for (const r of rows) console.log(`| ${r.stage} | ${r.imagesPerSec.toFixed(1)} |`);
}
trainers.forEach((t) => t.dispose());
