/**
 * Images/s and effective NFE of the 18-step full-resolution Heun baseline and of an
 * 8 -> 16 -> 32 cascade on the reference UNet, measured side by side (interleaved) in one run.
 * Speed does not depend on the weights, so an untrained model is used unless --checkpoint is given.
 *
 *   npm run bench -w @lowdiff/sampler [-- --count 64 --rounds 2 --checkpoint path --json]
 */
import * as tf from '@tensorflow/tfjs';
import { parseArgs } from 'node:util';
import { initBackend } from '@lowdiff/backend';
import { EdmDenoiser, loadCheckpoint, REFERENCE_UNET_32 } from '@lowdiff/model';
import { baselinePlan, cascadePlan, runCascade, type ResolvedCascadePlan } from '../src';

const { values: args } = parseArgs({
  options: {
    backend: { type: 'string', default: 'wasm' },
    count: { type: 'string', default: '64' },
    rounds: { type: 'string', default: '2' },
    checkpoint: { type: 'string' },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (args.help) {
  console.log('usage: cascade-bench [--backend wasm] [--count 64] [--rounds 2] [--checkpoint file] [--json]');
  process.exit(0);
}
const info = await initBackend({ backend: args.backend as 'wasm' });
const model = args.checkpoint ? (await loadCheckpoint(args.checkpoint, { use: 'ema' })).model : new EdmDenoiser(REFERENCE_UNET_32);
const count = Number(args.count);
const rounds = Number(args.rounds);
const plans: ResolvedCascadePlan[] = [
  baselinePlan(32, 18, 'heun'),
  cascadePlan([8, 16, 32], [18, 8, 5], { start: { kind: 'upsampled', sigmaStart: 2 } }, 'heun'),
];
const labels = Array.from({ length: count }, (_, i) => i % Math.max(model.numClasses, 1));
const totals = plans.map(() => ({ ms: 0, images: 0 }));
const last: Awaited<ReturnType<typeof runCascade>>[] = [];
for (let round = 0; round < rounds; round++)
  for (const [i, plan] of plans.entries()) {
    const t0 = performance.now();
    const result = await runCascade(model, plan, { count, seed: round, classLabels: model.numClasses > 0 ? labels : undefined });
    await result.images.data();
    totals[i].ms += performance.now() - t0;
    totals[i].images += count;
    result.images.dispose();
    last[i] = result;
  }
const rows = plans.map((plan, i) => ({
  plan: plan.name,
  nfePerStage: last[i].stages.map((s) => `${s.resolution}:${s.nfe}`).join(' '),
  nfe: last[i].nfe,
  effectiveNfe: last[i].effectiveNfe,
  imagesPerSec: (totals[i].images * 1000) / totals[i].ms,
}));
const speedup = rows[1].imagesPerSec / rows[0].imagesPerSec;
if (args.json) console.log(JSON.stringify({ backend: info.backend, count, rounds, rows, speedup }, null, 2));
else {
  console.log(`backend ${info.backend}, ${count} images per plan per round, ${rounds} interleaved rounds, ${model.parameterCount().toLocaleString('en-US')}-parameter reference UNet`);
  console.log('| plan | NFE per stage | NFE | effective NFE | images/s |');
  console.log('|---|---|---|---|---|');
  for (const r of rows) console.log(`| ${r.plan} | ${r.nfePerStage} | ${r.nfe} | ${r.effectiveNfe.toFixed(2)} | ${r.imagesPerSec.toFixed(2)} |`);
  console.log(`cascade / baseline images/s: ${speedup.toFixed(2)}x`);
}
tf.disposeVariables();
