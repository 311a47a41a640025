/**
 * Training images/s per stage for the reference config (REFERENCE_UNET_32 on Fashion-MNIST), per
 * engine (tfjs on its backend, ONNX Runtime) on 1 and on n threads (data-parallel workers), every
 * (engine, stage, threads) triple stepped round-robin in one run so machine noise hits all alike;
 * the median step time per triple (a step inside a run: the run's setup is left out).
 *
 *   npm run bench -w @lowdiff/trainer [-- --engines tfjs,ort --batch 64 --rounds 5 --workers 1,2 --json]
 */
import { parseArgs } from 'node:util';
import { initBackend } from '@lowdiff/backend';
import { loadFashionMnist } from '@lowdiff/data';
import { REFERENCE_UNET_32 } from '@lowdiff/model';
import { Trainer, TrainingPool, type TrainingConfigInput, type TrainingEngine } from '../src';

const { values: args } = parseArgs({
  options: {
    backend: { type: 'string', default: 'wasm' },
    batch: { type: 'string', default: '64' },
    rounds: { type: 'string', default: '5' },
    workers: { type: 'string', default: '1,2' },
    engines: { type: 'string', default: 'tfjs,ort' },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (args.help) {
  console.log('usage: train-bench [--engines tfjs,ort] [--backend wasm] [--batch 64] [--rounds 5] [--workers 1,2] [--json]');
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
const workerCounts = args.workers.split(',').map(Number);
const engines = args.engines.split(',') as TrainingEngine[];
for (const e of engines)
  if (e !== 'tfjs' && e !== 'ort') {
    console.error(`--engines: '${e}' is not tfjs or ort`);
    process.exit(2);
  }
const pools = new Map(workerCounts.filter((w) => w > 1).map((w) => [w, new TrainingPool(w - 1)] as const));
// One trainer per (engine, stage, workers): a one-stage mix, all from the same seed.
const runs = engines.flatMap((engine) =>
  stages.flatMap((stage) =>
    workerCounts.map((workers) => ({ engine, stage, workers, trainer: Trainer.create(REFERENCE_UNET_32, data, { stages: [stage], batchSize, steps: 1000, warmupSteps: 0 }), ms: [] as number[] })),
  ),
);
// Each turn runs two steps and times the second from its start to its report: a run's own setup
// (data iterator, first batch without prefetch) is not a step's cost in a long run.
const turn = async (r: (typeof runs)[number]) => {
  let started = 0;
  let ms = 0;
  await r.trainer.run({
    until: r.trainer.step + 2,
    engine: r.engine,
    workers: r.workers,
    pool: pools.get(r.workers),
    beforeStep: () => (started = performance.now()),
    onProgress: () => (ms = performance.now() - started),
  });
  return ms;
};
for (const r of runs) await turn(r); // warm-up (worker start, sessions, first kernels)
for (let round = 0; round < Number(args.rounds); round++) for (const r of runs) r.ms.push(await turn(r));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const rows = runs.map((r) => ({
  engine: r.engine,
  stage: `${r.stage.resolution}${r.stage.conditioned ? ' conditioned' : ''}`,
  workers: r.workers,
  medianStepMs: median(r.ms),
  imagesPerSec: (batchSize * 1000) / median(r.ms),
}));
if (args.json) console.log(JSON.stringify({ backend: info.backend, batchSize, rounds: Number(args.rounds), rows }, null, 2));
else {
  console.log(`tfjs backend ${info.backend}, REFERENCE_UNET_32, batch ${batchSize}, ${args.rounds} interleaved steps per (engine, stage, workers), median step`);
  console.log(`| engine | stage | ${workerCounts.map((w) => `${w} worker${w > 1 ? 's' : ''}: ms/step, images/s`).join(' | ')} | speed-up |`);
  console.log(`|---|---|${workerCounts.map(() => '---|').join('')}---|`);
  for (const e of engines)
    for (const s of stages) {
      const of = rows.filter((r) => r.engine === e && r.stage === `${s.resolution}${s.conditioned ? ' conditioned' : ''}`);
      console.log(`| ${e} | ${of[0].stage} | ${of.map((r) => `${r.medianStepMs.toFixed(0)}, ${r.imagesPerSec.toFixed(1)}`).join(' | ')} | ${(of[0].medianStepMs / of[of.length - 1].medianStepMs).toFixed(2)}x |`);
    }
  if (engines.length > 1) {
    console.log(`\n${engines[1]} / ${engines[0]}, images/s:`);
    for (const s of stages)
      for (const w of workerCounts) {
        const at = (e: string) => rows.find((r) => r.engine === e && r.workers === w && r.stage === `${s.resolution}${s.conditioned ? ' conditioned' : ''}`)!;
        console.log(`  ${at(engines[0]).stage}, ${w} worker${w > 1 ? 's' : ''}: ${(at(engines[1]).imagesPerSec / at(engines[0]).imagesPerSec).toFixed(2)}x`);
      }
  }
}
runs.forEach((r) => r.trainer.dispose());
for (const p of pools.values()) await p.close();
