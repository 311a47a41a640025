import { availableParallelism } from 'node:os';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import { initBackend, BackendNameSchema } from '@lowdiff/backend';
import type { ImageDataset, LatentDataset } from '@lowdiff/data';
import type { ModelConfigInput } from '@lowdiff/model';
import { loadOnnxRuntime, OrtError } from '@lowdiff/ort';
import { Trainer, TrainingConfigError, type Resampler, type TrainingConfigInput, type TrainingEngine } from '@lowdiff/trainer';
import { CliError, parseFlags } from './cli-error';
import { Output } from './output';
import { STAGE_PRESETS } from './presets';
import { withRunLock } from './run-lock';
import { runTraining, stagesFromFlag } from './run-training';

/** The flags every `train` command has; an app adds those of its data (`--data`, `--latents`). */
export const TrainFlagsSchema = z
  .object({
    out: z.string().min(1),
    config: z.string().optional(),
    stages: z.string(),
    steps: z.coerce.number().int().min(1).optional(),
    batchSize: z.coerce.number().int().min(1).optional(),
    lr: z.coerce.number().positive().optional(),
    seed: z.coerce.number().int().optional(),
    checkpointEvery: z.coerce.number().int().min(1).optional(),
    workers: z.coerce.number().int().min(1).max(64).default(availableParallelism()),
    engine: z.enum(['auto', 'ort', 'tfjs']).default('auto'),
    resume: z.boolean().default(false),
    allowChanges: z.boolean().default(false),
    backend: BackendNameSchema.default('auto'),
    json: z.boolean().default(false),
  })
  .strict();

export type TrainFlags = z.output<typeof TrainFlagsSchema>;

/** What an app's data gives the shared training command. */
export interface TrainingData {
  data: ImageDataset | LatentDataset;
  /** Side of what the model sees (pixels, or latents). */
  resolution: number;
  /** The model a new run starts from (config file fields override it; another `kind` replaces it). */
  model: ModelConfigInput;
  /** Resampling between stages, when not the default on the data itself. */
  resampler?: Resampler;
  /** Recorded in the checkpoint's info (command and class names are added). */
  info: Record<string, unknown>;
  /** A line for the log. */
  describe: string;
  dispose?(): void;
}

/** The JSON config file: partial model and training configs, overridden by flags. */
const ConfigFile = z.object({ model: z.record(z.string(), z.unknown()).optional(), training: z.record(z.string(), z.unknown()).optional() }).strict();

function readConfig(path: string | undefined): z.output<typeof ConfigFile> {
  if (!path) return {};
  if (!existsSync(path)) throw new CliError(`--config: no such file ${path}`);
  try {
    return parseFlags(ConfigFile, JSON.parse(readFileSync(path, 'utf8')));
  } catch (err) {
    throw err instanceof CliError ? new CliError(`--config: ${err.message}`) : new CliError(`--config: not valid JSON (${(err as Error).message})`);
  }
}

/** Adds the shared `train` options; `what` names what a step takes (images, latents). */
export function addTrainOptions(command: Command, o: { stages: string; what: string }): Command {
  return command
    .requiredOption('--out <dir>', 'run folder: train.safetensors, train.jsonl (required)')
    .option('--config <file>', "JSON file { model: {...}, training: {...} } (another model kind, e.g. { model: { kind: 'dit', ... } }, replaces the default); flags override it")
    .option('--stages <preset|json>', `training stage mix: ${STAGE_PRESETS.join(', ')}, or a JSON array`, o.stages)
    .option('--steps <n>', 'total training steps (default: 10000 for a new run; a resumed run keeps its own)')
    .option('--batch-size <n>', `${o.what} per step (default: 32, or the config file's)`)
    .option('--lr <x>', "peak learning rate (default: 0.001, or the config file's)")
    .option('--seed <n>', 'training seed (default: 0)')
    .option('--checkpoint-every <n>', 'steps between checkpoints (default: 500)')
    .option('--workers <n>', `threads that split every step's batch (data-parallel; the run does not depend on it) (default: ${availableParallelism()}, the cores)`)
    .option('--engine <name>', 'what computes the gradients: ort (ONNX Runtime, the fastest on CPUs), tfjs (the --backend), or auto: ort where onnxruntime-node loads and the backend is a CPU one, else tfjs; the run does not depend on it', 'auto')
    .option('--resume', 'continue from <out>/train.safetensors')
    .option('--allow-changes', 'with --resume: accept another --batch-size or --seed than the run had (it will not continue exactly)')
    .option('--backend <name>', 'auto | wasm | cpu | tensorflow | tensorflow-gpu | webgpu', 'auto')
    .option('--json', 'JSON lines on stdout instead of a progress bar');
}

/**
 * The `train` command of both apps: lock the run folder, start the backend, load the app's data
 * (`load`, told whether and from where the run resumes), create or resume the trainer, train
 * with progress, signals and checkpoints.
 */
export async function trainCommand(bin: string, flags: TrainFlags, load: (resumeFrom: string | null) => Promise<TrainingData>): Promise<void> {
  const out = new Output(flags.json);
  // Before anything else: a second trainer on this folder must not even load its data.
  await withRunLock(flags.out, async () => {
    const backend = await initBackend({ backend: flags.backend });
    const engine = await trainingEngine(flags.engine, backend.backend);
    out.info(`backend: ${backend.backend}, gradients on ${engine.engine === 'ort' ? 'ONNX Runtime' : `tfjs-${backend.backend}`}${engine.note ? ` (${engine.note})` : ''}`);
    const file = readConfig(flags.config);
    const path = join(flags.out, 'train.safetensors');
    if (flags.resume && !existsSync(path)) throw new CliError(`--resume: no checkpoint at ${path}`);
    if (!flags.resume && existsSync(path)) throw new CliError(`--out: ${path} exists; pass --resume to continue it, or choose another folder`);
    const d = await load(flags.resume ? path : null);
    try {
      const overrides: Partial<TrainingConfigInput> = {
        ...(flags.steps ? { steps: flags.steps } : {}),
        ...(flags.batchSize ? { batchSize: flags.batchSize } : {}),
        ...(flags.lr ? { learningRate: flags.lr } : {}),
        ...(flags.seed !== undefined ? { seed: flags.seed } : {}),
        ...(flags.checkpointEvery ? { checkpointEvery: flags.checkpointEvery } : {}),
      };
      let trainer: Trainer;
      if (flags.resume) {
        trainer = await Trainer.resume(path, d.data, overrides, d.resampler, { allowChanges: flags.allowChanges }).catch((err: Error) => {
          // A refused resume is a problem with what was asked: exit 2, named by the flag.
          throw err instanceof TrainingConfigError ? new CliError(`--resume: ${err.message.replace('(allowChanges to accept)', '(--allow-changes to accept)')}`) : err;
        });
        out.info(`resuming at step ${trainer.step}`);
      } else {
        const stages = stagesFromFlag(flags.stages, d.resolution);
        const fromFile = file.model ?? {};
        const base = fromFile.kind !== undefined && fromFile.kind !== d.model.kind ? {} : d.model;
        const model = {
          ...base,
          channels: d.data.channels,
          numClasses: d.data.numClasses,
          resolution: d.resolution,
          stageResolutions: [...new Set(stages.map((s) => s.resolution))].sort((a, b) => a - b),
          ...fromFile,
        } as ModelConfigInput;
        const training = { steps: 10_000, ...(file.training as object), stages, ...overrides } as TrainingConfigInput;
        try {
          trainer = Trainer.create(model, d.data, training, d.resampler);
        } catch (err) {
          throw err instanceof CliError ? err : new CliError((err as Error).message);
        }
      }
      out.info(d.describe);
      await runTraining(trainer, { out, outDir: flags.out, json: flags.json, workers: flags.workers, engine: engine.engine, info: { command: `${bin} ${process.argv.slice(2).join(' ')}`, classNames: d.data.classNames, ...d.info } });
      trainer.dispose();
    } finally {
      d.dispose?.();
    }
  });
}

/**
 * --engine: `auto` is ONNX Runtime (native kernels; faster than tfjs-wasm per step, see the trainer README) when
 * onnxruntime-node loads and the tfjs backend is a CPU one; a GPU backend keeps the gradients on
 * it. `ort` where onnxruntime-node does not load is refused.
 */
async function trainingEngine(asked: 'auto' | TrainingEngine, backend: string): Promise<{ engine: TrainingEngine; note?: string }> {
  if (asked === 'tfjs') return { engine: 'tfjs' };
  if (asked === 'auto' && !['wasm', 'cpu'].includes(backend)) return { engine: 'tfjs', note: `--engine auto keeps the gradients on the ${backend} backend` };
  try {
    await loadOnnxRuntime();
    return { engine: 'ort' };
  } catch (err) {
    if (!(err instanceof OrtError)) throw err;
    if (asked === 'ort') throw new CliError(`--engine ort: ${err.message}`);
    return { engine: 'tfjs', note: err.message };
  }
}
