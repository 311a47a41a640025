/**
 * Trains (or resumes) the shipped class-conditional Fashion-MNIST LowDiff checkpoint: the
 * reference 32x32 UNet with stages 8, 16, 32 plus the unconditioned 32x32 baseline stage.
 *
 *   npx tsx --conditions=@lowdiff/source tools/train/fmnist-checkpoint.ts [--steps N] [--out dir]
 *
 * `--recipe` picks another run of the same data and network: the ablations of the shipped recipe
 * (ABLATIONS), each with its own folder under checkpoints/ablations and the same budget.
 *
 * The run has phases (FMNIST_PHASES): each continues the previous one's state (weights, EMA,
 * Adam, RNG, data position) with its own recipe, so the whole run is this one command, from
 * scratch or from wherever the checkpoint stands. It resumes from <out>/train.safetensors when
 * that exists (checkpoints every 250 steps), so it can run across sessions. `--export` writes the
 * EMA-only file that apps/pixel ships.
 */
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { initBackend } from '@lowdiff/backend';
import { FASHION_MNIST_CLASSES, loadFashionMnist } from '@lowdiff/data';
import { loadCheckpoint, REFERENCE_UNET_32, saveCheckpoint } from '@lowdiff/model';
import { Trainer, type TrainingConfigInput, type TrainingEngine } from '@lowdiff/trainer';

const { values: args } = parseArgs({
  options: {
    recipe: { type: 'string', default: 'shipped' },
    steps: { type: 'string' },
    out: { type: 'string' },
    export: { type: 'string' },
    workers: { type: 'string', default: String(availableParallelism()) },
    engine: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});
if (args.help) {
  console.log('usage: fmnist-checkpoint.ts [--recipe shipped|ablation-aug|ablation-no-aug|ablation-schedule|ablation-two-stage] [--steps N] [--out dir] [--workers <cores>] [--engine ort|tfjs (default: tfjs for shipped, ort for the ablations)] [--export file.safetensors]');
  process.exit(0);
}

/** Steps 1-10,000: every stage equally often, condition noise 0..0.5. */
export const FMNIST_TRAINING: TrainingConfigInput = {
  stages: [
    { resolution: 8, probability: 1, conditioned: false },
    { resolution: 16, probability: 1, conditioned: true },
    { resolution: 32, probability: 1, conditioned: true },
    { resolution: 32, probability: 1, conditioned: false },
  ],
  conditionAugmentation: { kind: 'uniform', min: 0, max: 0.5 },
  conditionUpsample: 'bilinear',
  labelDropout: 0.1,
  batchSize: 64,
  steps: 10_000,
  learningRate: 1e-3,
  warmupSteps: 200,
  gradClip: 1,
  emaHalfLifeImages: 20_000,
  emaRampup: 0.05,
  checkpointEvery: 250,
  seed: 1,
};

/**
 * From step 10,000 (apps/pixel/README.md, "Why the conditioned refinement lost"): the conditioned
 * stages copied their generated conditions' flaws (real 16x16 conditions brought lowdiff-3 from
 * FID 10.5 to 7.7), so they train on condition noise up to 1, which lets a plan noise a generated
 * condition harder than the 0.5 the first phase allowed, and the refinement stages train twice as
 * often as the 8x8 one. The unconditioned 32x32 stage - every full-resolution baseline - trains as
 * often as the conditioned 32x32 one, so a cascade cannot win by a better-trained share.
 */
export const FMNIST_REFINEMENT: Partial<TrainingConfigInput> = {
  stages: [
    { resolution: 8, probability: 1, conditioned: false },
    { resolution: 16, probability: 2, conditioned: true },
    { resolution: 32, probability: 2, conditioned: true },
    { resolution: 32, probability: 2, conditioned: false },
  ],
  conditionAugmentation: { kind: 'uniform', min: 0, max: 1 },
};

/** The run: each phase resumes the previous one with its overrides until its `until` step (null: --steps). */
export const FMNIST_PHASES: { until: number | null; overrides: Partial<TrainingConfigInput> }[] = [
  { until: 10_000, overrides: {} },
  { until: null, overrides: FMNIST_REFINEMENT },
];

/**
 * Ablations of the refinement recipe (issue #17): the same budget each - 6,000 steps of batch 64
 * from scratch, the conditioned 32x32 stage 40 % of them - differing in one thing.
 * `ablation-aug` is the shipped phase-2 recipe without the unconditioned 32x32 stage;
 * `ablation-no-aug` trains its conditions without noise; `ablation-schedule` shifts each stage's
 * noise levels by its resolution; `ablation-two-stage` cascades 16 -> 32.
 */
const ABLATION_BASE: TrainingConfigInput = {
  ...FMNIST_TRAINING,
  stages: [
    { resolution: 8, probability: 1, conditioned: false },
    { resolution: 16, probability: 2, conditioned: true },
    { resolution: 32, probability: 2, conditioned: true },
  ],
  conditionAugmentation: { kind: 'uniform', min: 0, max: 1 },
  steps: 6_000,
};
const ABLATIONS: Record<string, TrainingConfigInput> = {
  'ablation-aug': ABLATION_BASE,
  'ablation-no-aug': { ...ABLATION_BASE, conditionAugmentation: { kind: 'none' } },
  // Simple diffusion's resolution shift (Hoogeboom et al. 2023): an image area-downsampled by k
  // keeps its signal while per-pixel noise of the same sigma hides k times more of it, so each
  // stage's log-normal moves down by ln(32 / r): the schedule @lowdiff/schedule's table leaves open.
  'ablation-schedule': {
    ...ABLATION_BASE,
    stages: ABLATION_BASE.stages.map((s) => ({ ...s, pMean: -1.2 - Math.log(32 / s.resolution) })),
  },
  'ablation-two-stage': {
    ...ABLATION_BASE,
    stages: [
      { resolution: 16, probability: 3, conditioned: false },
      { resolution: 32, probability: 2, conditioned: true },
    ],
  },
};

const recipe =
  args.recipe === 'shipped'
    ? { base: FMNIST_TRAINING, phases: FMNIST_PHASES, steps: 24_000, out: 'checkpoints/fmnist' }
    : Object.hasOwn(ABLATIONS, args.recipe!)
      ? { base: ABLATIONS[args.recipe!], phases: [{ until: null, overrides: {} }], steps: ABLATIONS[args.recipe!].steps, out: `checkpoints/ablations/${args.recipe!.slice('ablation-'.length)}` }
      : null;
if (!recipe) {
  console.error(`--recipe: '${args.recipe}' is not shipped or one of ${Object.keys(ABLATIONS).join(', ')}`);
  process.exit(2);
}
args.out ??= recipe.out;
args.steps ??= String(recipe.steps);
// The shipped run's steps so far ran on tfjs-wasm: its recorded command repeats them there.
args.engine ??= args.recipe === 'shipped' ? 'tfjs' : 'ort';
if (args.engine !== 'tfjs' && args.engine !== 'ort') {
  console.error(`--engine: '${args.engine}' is not ort or tfjs`);
  process.exit(2);
}

await initBackend({ backend: 'wasm' });
const path = join(args.out, 'train.safetensors');
const commandFor = (steps: string) =>
  'npx tsx --conditions=@lowdiff/source tools/train/fmnist-checkpoint.ts' +
  (args.recipe !== 'shipped' ? ` --recipe ${args.recipe}` : '') +
  (steps !== String(recipe.steps) ? ` --steps ${steps}` : '');
const command = commandFor(args.steps);

if (args.export) {
  const ckpt = await loadCheckpoint(path);
  // Exported before the run's last step, the file is what `--steps <its step>` trains.
  const step = (ckpt.training as { step: number }).step;
  const info = { ...(ckpt.info as object), command: commandFor(String(step)), classNames: FASHION_MNIST_CLASSES };
  await saveCheckpoint(args.export, ckpt.model, { ema: ckpt.ema!, emaOnly: true, info, training: ckpt.training });
  console.log(`exported EMA weights of ${path} (${JSON.stringify(ckpt.info)}) to ${args.export}`);
  process.exit(0);
}

const data = await loadFashionMnist({ split: 'train', size: 32, fit: 'pad' });
const total = Number(args.steps);
const ctl = new AbortController();
process.once('SIGINT', () => ctl.abort());
process.once('SIGTERM', () => ctl.abort());
let result: Awaited<ReturnType<Trainer['run']>> | null = null;
for (const phase of recipe.phases) {
  const until = Math.min(phase.until ?? total, total);
  const existing = existsSync(path);
  const trainer = existing
    ? await Trainer.resume(path, data, { ...phase.overrides, steps: until })
    : Trainer.create(REFERENCE_UNET_32, data, { ...recipe.base, ...phase.overrides, steps: until });
  if (trainer.step >= until) {
    trainer.model.dispose();
    continue;
  }
  console.log(`${existing ? 'resuming' : 'starting'} at step ${trainer.step}, phase until ${until}; ${trainer.model.parameterCount()} parameters`);
  result = await trainer.run({
    checkpointPath: path,
    logPath: join(args.out, 'train.jsonl'),
    signal: ctl.signal,
    workers: Number(args.workers),
    // The engine changes speed, not the run (same draws, gradients equal to float rounding).
    engine: args.engine as TrainingEngine,
    info: { command, engine: args.engine, dataset: 'fashion-mnist/train (60,000, padded to 32x32)', classNames: data.classNames, trainingConfig: recipe.base, phases: recipe.phases },
    onProgress: (r) => {
      if (r.step % 25 === 0)
        console.log(
          `step ${r.step}/${r.totalSteps} ${r.stepsPerSec.toFixed(2)} steps/s eta ${(r.etaSec / 3600).toFixed(1)} h lr ${r.learningRate.toExponential(1)} ` +
            Object.entries(r.lossPerStage).map(([k, v]) => `${k}:${v.toFixed(3)}`).join(' '),
        );
    },
    onCheckpoint: (c) => console.log(`checkpoint at step ${c.step}: ${c.path}`),
    onSkip: (s) => console.log(`skipped step ${s.step}: ${s.reason}`),
  });
  trainer.model.dispose();
  if (result.reason !== 'done' || until >= total) break;
}
if (!result) console.log(`nothing to do: the run is at or past step ${total}`);
else console.log(`stopped (${result.reason}) at step ${result.step}, ${(result.wallTimeSec / 3600).toFixed(2)} h of training in total`);
