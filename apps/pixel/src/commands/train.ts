import { availableParallelism } from 'node:os';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import { initBackend, BackendNameSchema } from '@lowdiff/backend';
import { loadDataset, parseDatasetSpec } from '@lowdiff/data';
import { REFERENCE_UNET_32, type ModelConfigInput } from '@lowdiff/model';
import { Trainer, TrainingConfigError, type TrainingConfigInput } from '@lowdiff/trainer';
import { CliError, withRunLock, Output, parseFlags, sizeOptions, STAGE_PRESETS, stagesFromFlag, runTraining } from '@lowdiff/cli-kit';

const TrainFlags = z
  .object({
    data: z.string().min(1),
    out: z.string().min(1),
    config: z.string().optional(),
    stages: z.string().default('lowdiff-3'),
    steps: z.coerce.number().int().min(1).optional(),
    batchSize: z.coerce.number().int().min(1).optional(),
    lr: z.coerce.number().positive().optional(),
    size: z.coerce.number().int().min(8).default(32),
    limit: z.coerce.number().int().min(1).optional(),
    seed: z.coerce.number().int().optional(),
    checkpointEvery: z.coerce.number().int().min(1).optional(),
    workers: z.coerce.number().int().min(1).max(64).default(availableParallelism()),
    resume: z.boolean().default(false),
    allowChanges: z.boolean().default(false),
    backend: BackendNameSchema.default('auto'),
    json: z.boolean().default(false),
  })
  .strict();

/** The JSON config file: partial model and training configs, overridden by flags. */
const ConfigFile = z.object({ model: z.record(z.string(), z.unknown()).optional(), training: z.record(z.string(), z.unknown()).optional() }).strict();

export function registerTrain(program: Command): void {
  program
    .command('train')
    .description('train a unified LowDiff model on a data set (resumable; Ctrl-C saves a checkpoint)')
    .addHelpText('after', '\nExample:\n  npx lowdiff-pixel train --data fashion-mnist --out runs/fmnist --steps 20000   # ~2 s/step (the shipped checkpoint: 10,000 steps in 5.7 h); Ctrl-C saves, --resume continues')
    .requiredOption('--data <spec>', 'fashion-mnist | mnist | cifar10:<dir> | folder:<dir> (required)')
    .requiredOption('--out <dir>', 'run folder: train.safetensors, train.jsonl (required)')
    .option('--config <file>', 'JSON file { model: {...}, training: {...} }; flags override it')
    .option('--stages <preset|json>', `training stage mix: ${STAGE_PRESETS.join(', ')}, or a JSON array`, 'lowdiff-3')
    .option('--steps <n>', 'total training steps (default: 10000 for a new run; a resumed run keeps its own)')
    .option('--batch-size <n>', 'images per step (default: 32, or the config file\'s)')
    .option('--lr <x>', 'peak learning rate (default: 0.001, or the config file\'s)')
    .option('--size <px>', 'image size (data is padded or resized to it)', '32')
    .option('--limit <n>', 'use only n training images (seeded subset)')
    .option('--seed <n>', 'training seed (default: 0)')
    .option('--checkpoint-every <n>', 'steps between checkpoints (default: 500)')
    .option('--workers <n>', `threads that split every step's batch (data-parallel; the run does not depend on it) (default: ${availableParallelism()}, the cores)`)
    .option('--resume', 'continue from <out>/train.safetensors')
    .option('--allow-changes', 'with --resume: accept another --batch-size or --seed than the run had (it will not continue exactly)')
    .option('--backend <name>', 'auto | wasm | cpu | tensorflow | tensorflow-gpu | webgpu', 'auto')
    .option('--json', 'JSON lines on stdout instead of a progress bar')
    .action(async (raw) => train(parseFlags(TrainFlags, raw)));
}

async function train(flags: z.output<typeof TrainFlags>): Promise<void> {
  const out = new Output(flags.json);
  // Before anything else: a second trainer on this folder must not even load its data.
  await withRunLock(flags.out, () => trainIn(flags, out));
}

async function trainIn(flags: z.output<typeof TrainFlags>, out: Output): Promise<void> {
  const backend = await initBackend({ backend: flags.backend });
  out.info(`backend: ${backend.backend}`);
  let file: z.output<typeof ConfigFile> = {};
  if (flags.config) {
    if (!existsSync(flags.config)) throw new CliError(`--config: no such file ${flags.config}`);
    try {
      file = parseFlags(ConfigFile, JSON.parse(readFileSync(flags.config, 'utf8')));
    } catch (err) {
      throw err instanceof CliError ? new CliError(`--config: ${err.message}`) : new CliError(`--config: not valid JSON (${(err as Error).message})`);
    }
  }
  const spec = parseDatasetSpec(flags.data);
  out.info(`loading ${flags.data}...`);
  const data = await loadDataset(spec, { split: 'train', ...sizeOptions(flags.size), ...(flags.limit ? { limit: flags.limit } : {}) });
  const path = join(flags.out, 'train.safetensors');
  const overrides: Partial<TrainingConfigInput> = {
    ...(flags.steps ? { steps: flags.steps } : {}),
    ...(flags.batchSize ? { batchSize: flags.batchSize } : {}),
    ...(flags.lr ? { learningRate: flags.lr } : {}),
    ...(flags.seed !== undefined ? { seed: flags.seed } : {}),
    ...(flags.checkpointEvery ? { checkpointEvery: flags.checkpointEvery } : {}),
  };
  let trainer: Trainer;
  if (flags.resume) {
    if (!existsSync(path)) throw new CliError(`--resume: no checkpoint at ${path}`);
    trainer = await Trainer.resume(path, data, overrides, undefined, { allowChanges: flags.allowChanges }).catch((err: Error) => {
      // A refused resume is a problem with what was asked: exit 2, named by the flag.
      throw err instanceof TrainingConfigError ? new CliError(`--resume: ${err.message.replace('(allowChanges to accept)', '(--allow-changes to accept)')}`) : err;
    });
    out.info(`resuming at step ${trainer.step}`);
  } else {
    if (existsSync(path)) throw new CliError(`--out: ${path} exists; pass --resume to continue it, or choose another folder`);
    const stages = stagesFromFlag(flags.stages, flags.size);
    const model: ModelConfigInput = {
      ...REFERENCE_UNET_32,
      channels: data.channels,
      numClasses: data.numClasses,
      resolution: flags.size,
      stageResolutions: [...new Set(stages.map((s) => s.resolution))].sort((a, b) => a - b),
      ...(file.model as object),
    } as ModelConfigInput;
    const training = { steps: 10_000, ...(file.training as object), stages, ...overrides } as TrainingConfigInput;
    trainer = Trainer.create(model, data, training);
  }
  await runTraining(trainer, { out, outDir: flags.out, json: flags.json, workers: flags.workers, info: { command: `lowdiff-pixel ${process.argv.slice(2).join(' ')}`, classNames: data.classNames } });
  trainer.dispose();
}
