import { availableParallelism } from 'node:os';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import { initBackend, BackendNameSchema } from '@lowdiff/backend';
import { REFERENCE_DIT_LATENT, type ModelConfigInput } from '@lowdiff/model';
import { Trainer, TrainingConfigError, type TrainingConfigInput } from '@lowdiff/trainer';
import { CliError, withRunLock, Output, parseFlags, STAGE_PRESETS, stagesFromFlag, runTraining } from '@lowdiff/cli-kit';
import { loadLatentCache } from '../latent-cache';
import { loadVae, vaePathFor } from '../load-vae';
import { pixelSpaceResampler } from '../pixel-space-resampler';
import { readSafetensorsFile } from '@lowdiff/model';

const TrainFlags = z
  .object({
    latents: z.string().min(1),
    out: z.string().min(1),
    config: z.string().optional(),
    stages: z.string().default('lowdiff-2'),
    steps: z.coerce.number().int().min(1).optional(),
    batchSize: z.coerce.number().int().min(1).optional(),
    lr: z.coerce.number().positive().optional(),
    seed: z.coerce.number().int().optional(),
    checkpointEvery: z.coerce.number().int().min(1).optional(),
    workers: z.coerce.number().int().min(1).max(64).default(availableParallelism()),
    conditionSpace: z.enum(['latent', 'pixel']).default('latent'),
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
    .description('train the unified LowDiff model on cached latents (DiT by default; resumable; Ctrl-C saves)')
    .addHelpText('after', '\nExample:\n  npx lowdiff-latent train --latents runs/latents.safetensors --out runs/ldit --steps 5000')
    .requiredOption('--latents <file>', 'a latent cache written by encode (required)')
    .requiredOption('--out <dir>', 'run folder: train.safetensors, train.jsonl (required)')
    .option('--config <file>', "JSON file { model: {...}, training: {...} }; { model: { kind: 'unet', ... } } for a UNet; flags override it")
    .option('--stages <preset|json>', `training stage mix at latent resolution: ${STAGE_PRESETS.join(', ')}, or a JSON array`, 'lowdiff-2')
    .option('--steps <n>', 'total training steps (default: 10000 for a new run; a resumed run keeps its own)')
    .option('--batch-size <n>', 'latents per step (default: 32, or the config file\'s)')
    .option('--lr <x>', 'peak learning rate (default: 0.001, or the config file\'s)')
    .option('--seed <n>', 'training seed (default: 0)')
    .option('--checkpoint-every <n>', 'steps between checkpoints (default: 500)')
    .option('--workers <n>', `threads that split every step's batch (data-parallel; the run does not depend on it) (default: ${availableParallelism()}, the cores)`)
    .option('--condition-space <space>', 'where conditions change resolution: latent (resize latents) | pixel (decode, resize, encode)', 'latent')
    .option('--resume', 'continue from <out>/train.safetensors')
    .option('--allow-changes', 'with --resume: accept another --batch-size or --seed than the run had (it will not continue exactly)')
    .option('--backend <name>', 'auto | wasm | cpu | tensorflow | tensorflow-gpu | webgpu', 'auto')
    .option('--json', 'JSON lines on stdout instead of a progress bar')
    .action(async (raw) => train(parseFlags(TrainFlags, raw)));
}

function readConfig(path: string | undefined): z.output<typeof ConfigFile> {
  if (!path) return {};
  if (!existsSync(path)) throw new CliError(`--config: no such file ${path}`);
  try {
    return parseFlags(ConfigFile, JSON.parse(readFileSync(path, 'utf8')));
  } catch (err) {
    throw err instanceof CliError ? new CliError(`--config: ${err.message}`) : new CliError(`--config: not valid JSON (${(err as Error).message})`);
  }
}

/** The model for latents of side `r`: the reference latent DiT unless the config file says otherwise (e.g. kind 'unet'). */
function modelConfig(file: Record<string, unknown> | undefined, r: number, channels: number, numClasses: number, stageResolutions: number[]): ModelConfigInput {
  const base = file?.kind && file.kind !== 'dit' ? {} : REFERENCE_DIT_LATENT;
  return { ...base, channels, numClasses, resolution: r, stageResolutions, ...file } as ModelConfigInput;
}

async function train(flags: z.output<typeof TrainFlags>): Promise<void> {
  const out = new Output(flags.json);
  // Before anything else: a second trainer on this folder must not even load its data.
  await withRunLock(flags.out, () => trainIn(flags, out));
}

async function trainIn(flags: z.output<typeof TrainFlags>, out: Output): Promise<void> {
  const backend = await initBackend({ backend: flags.backend });
  out.info(`backend: ${backend.backend}`);
  const file = readConfig(flags.config);
  const { data, info } = await loadLatentCache(flags.latents);
  if (data.height !== data.width) throw new CliError(`--latents: ${data.height}x${data.width} latents; the cascade needs square ones`);
  const path = join(flags.out, 'train.safetensors');
  const overrides: Partial<TrainingConfigInput> = {
    ...(flags.steps ? { steps: flags.steps } : {}),
    ...(flags.batchSize ? { batchSize: flags.batchSize } : {}),
    ...(flags.lr ? { learningRate: flags.lr } : {}),
    ...(flags.seed !== undefined ? { seed: flags.seed } : {}),
    ...(flags.checkpointEvery ? { checkpointEvery: flags.checkpointEvery } : {}),
  };
  let trainer: Trainer;
  // A resumed run keeps the condition space it was started with.
  const space = flags.resume && existsSync(path) ? (JSON.parse((await readSafetensorsFile(path)).metadata.info ?? '{}').conditionSpace ?? 'latent') : flags.conditionSpace;
  const vae = space === 'pixel' ? await loadVae(vaePathFor(undefined, info)) : null;
  const resampler = vae ? pixelSpaceResampler(vae) : undefined;
  try {
    if (flags.resume) {
      if (!existsSync(path)) throw new CliError(`--resume: no checkpoint at ${path}`);
      trainer = await Trainer.resume(path, data, overrides, resampler, { allowChanges: flags.allowChanges }).catch((err: Error) => {
      // A refused resume is a problem with what was asked: exit 2, named by the flag.
      throw err instanceof TrainingConfigError ? new CliError(`--resume: ${err.message.replace('(allowChanges to accept)', '(--allow-changes to accept)')}`) : err;
    });
      out.info(`resuming at step ${trainer.step}`);
    } else {
      if (existsSync(path)) throw new CliError(`--out: ${path} exists; pass --resume to continue it, or choose another folder`);
      const stages = stagesFromFlag(flags.stages, data.height);
      const resolutions = [...new Set(stages.map((s) => s.resolution))].sort((a, b) => a - b);
      const model = modelConfig(file.model, data.height, data.channels, data.numClasses, resolutions);
      const training = { steps: 10_000, ...(file.training as object), stages, ...overrides } as TrainingConfigInput;
      trainer = Trainer.create(model, data, training, resampler);
    }
  } catch (err) {
    throw err instanceof CliError ? err : new CliError((err as Error).message);
  }
  out.info(`training on ${data.name}: ${data.count} latents of ${data.height}x${data.width}x${data.channels}, VAE ${info.vae}`);
  await runTraining(trainer, { out, outDir: flags.out, json: flags.json, workers: flags.workers, info: { command: `lowdiff-latent ${process.argv.slice(2).join(' ')}`, classNames: data.classNames, conditionSpace: space, vae: info.vae, adapter: info.adapter, latents: flags.latents, imageData: info.data } });
  trainer.dispose();
  vae?.dispose();
}
