import type { Command } from 'commander';
import { z } from 'zod';
import { BackendNameSchema, initBackend } from '@lowdiff/backend';
import { classLabels, CliError, generate, loadModelForSampling, Output, parseFlags, planPresets, resolvePlan, withGuidanceScale, writeSamples, type Generated } from '@lowdiff/cli-kit';

const SampleFlags = z
  .object({
    checkpoint: z.string().min(1),
    plan: z.string().default('lowdiff-3'),
    count: z.coerce.number().int().min(1).max(100_000).default(64),
    seed: z.coerce.number().int().default(0),
    class: z.string().optional(),
    guidance: z.coerce.number().min(0).optional(),
    batchSize: z.coerce.number().int().min(1).default(64),
    out: z.string().default('out/sample'),
    images: z.boolean().default(true),
    backend: BackendNameSchema.default('auto'),
    json: z.boolean().default(false),
  })
  .strict();

export function registerSample(program: Command): void {
  program
    .command('sample')
    .description('sample a checkpoint through a cascade plan: PNG grid, one PNG per image, and a stage strip')
    .requiredOption('--checkpoint <file>', 'a .safetensors checkpoint (EMA weights are used when present)')
    .option('--plan <name|file|json>', `a preset (${Object.keys(planPresets(32)).join(', ')}), a JSON file or inline JSON`, 'lowdiff-3')
    .option('--count <n>', 'number of images', '64')
    .option('--seed <n>', 'image i depends only on (seed, i)', '0')
    .option('--class <k|name|all>', "class label, class name, or 'all' (cycles through the classes)")
    .option('--guidance <scale>', 'classifier-free guidance scale for every stage (1: none)')
    .option('--batch-size <n>', 'images per batch (speed only; the images do not change)', '64')
    .option('--out <dir>', 'output folder', 'out/sample')
    .option('--no-images', 'skip the per-image PNGs')
    .option('--backend <name>', 'auto | wasm | cpu | tensorflow | tensorflow-gpu | webgpu', 'auto')
    .option('--json', 'print a JSON summary on stdout')
    .action(async (raw) => sample(parseFlags(SampleFlags, raw)));
}

async function sample(flags: z.output<typeof SampleFlags>): Promise<void> {
  const out = new Output(flags.json);
  await initBackend({ backend: flags.backend });
  const { model, classNames } = await loadModelForSampling(flags.checkpoint);
  const top = model.resolutions[model.resolutions.length - 1];
  const plan = withGuidanceScale(resolvePlan(flags.plan, top), flags.guidance);
  const labels = classLabels(flags.class, flags.count, model.numClasses, classNames);
  out.startProgress(`sample ${plan.name ?? 'plan'}`, flags.count);
  let gen: Generated;
  try {
    gen = await generate(model, plan, {
      count: flags.count,
      seed: flags.seed,
      labels,
      batchSize: flags.batchSize,
      stripCount: Math.min(8, flags.count),
      onBatch: (done, total) => out.progress(done, total, ''),
    });
  } catch (err) {
    throw new CliError(`--plan: ${(err as Error).message}`);
  }
  out.stopProgress();
  const files = await writeSamples(flags.out, gen, flags.images);
  const summary = {
    plan: plan.name,
    count: gen.count,
    nfe: gen.nfe,
    effectiveNfe: gen.effectiveNfe,
    nfePerStage: gen.stages.map((s) => ({ resolution: s.resolution, nfe: s.nfe })),
    imagesPerSec: (gen.count * 1000) / gen.wallMs,
    files,
  };
  out.info(`${gen.count} images with ${plan.name}: NFE ${gen.nfe}, effective NFE ${gen.effectiveNfe.toFixed(2)}, ${summary.imagesPerSec.toFixed(2)} images/s; wrote ${files.grid}`);
  out.result(summary);
  model.dispose();
}

