import type { Command } from 'commander';
import { z } from 'zod';
import { BackendNameSchema, initBackend } from '@lowdiff/backend';
import { classLabels, CliError, generate, Output, parseFlags, planPresets, resolvePlan, withGuidanceScale, writeSamples, type Generated } from '@lowdiff/cli-kit';
import { loadLatentModel } from '../latent-model';

const SampleFlags = z
  .object({
    checkpoint: z.string().min(1),
    vae: z.string().optional(),
    plan: z.string().default('lowdiff-2'),
    count: z.coerce.number().int().min(1).max(100_000).default(64),
    seed: z.coerce.number().int().default(0),
    class: z.string().optional(),
    guidance: z.coerce.number().min(0).optional(),
    batchSize: z.coerce.number().int().min(1).default(64),
    out: z.string().default('out/latent-sample'),
    images: z.boolean().default(true),
    backend: BackendNameSchema.default('auto'),
    json: z.boolean().default(false),
  })
  .strict();

export function registerSample(program: Command): void {
  program
    .command('sample')
    .description('sample a latent checkpoint through a cascade plan and decode: PNG grid, one PNG per image, a stage strip')
    .requiredOption('--checkpoint <file>', 'a latent .safetensors checkpoint from train (EMA weights are used when present)')
    .option('--vae <file>', 'the VAE that decodes (default: the one recorded in the checkpoint)')
    .option('--plan <name|file|json>', `a preset sized to the latent resolution (${Object.keys(planPresets(8)).join(', ')}), a JSON file or inline JSON`, 'lowdiff-2')
    .option('--count <n>', 'number of images', '64')
    .option('--seed <n>', 'image i depends only on (seed, i)', '0')
    .option('--class <k|name|all>', "class label, class name, or 'all' (cycles through the classes)")
    .option('--guidance <scale>', 'classifier-free guidance scale for every stage (1: none)')
    .option('--batch-size <n>', 'images per batch (speed only; the images do not change)', '64')
    .option('--out <dir>', 'output folder', 'out/latent-sample')
    .option('--no-images', 'skip the per-image PNGs')
    .option('--backend <name>', 'auto | wasm | cpu | tensorflow | tensorflow-gpu | webgpu', 'auto')
    .option('--json', 'print a JSON summary on stdout')
    .action(async (raw) => sample(parseFlags(SampleFlags, raw)));
}

async function sample(flags: z.output<typeof SampleFlags>): Promise<void> {
  const out = new Output(flags.json);
  await initBackend({ backend: flags.backend });
  const lm = await loadLatentModel(flags.checkpoint, flags.vae);
  try {
    const plan = withGuidanceScale(resolvePlan(flags.plan, lm.latentResolution), flags.guidance);
    const labels = classLabels(flags.class, flags.count, lm.model.numClasses, lm.classNames);
    out.startProgress(`sample ${plan.name ?? 'plan'}`, flags.count);
    let gen: Generated;
    try {
      gen = await generate(lm.model, plan, {
        count: flags.count,
        seed: flags.seed,
        labels,
        batchSize: flags.batchSize,
        stripCount: Math.min(8, flags.count),
        decode: lm.decode,
        resample: lm.resample,
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
      nfePerStage: gen.stages.map((s) => ({ latentResolution: s.resolution, nfe: s.nfe })),
      imageResolution: gen.resolution,
      imagesPerSec: (gen.count * 1000) / gen.wallMs,
      files,
    };
    out.info(
      `${gen.count} images with ${plan.name} (latent stages ${gen.stages.map((s) => s.resolution).join(' -> ')}, decoded to ${gen.resolution}x${gen.resolution}): NFE ${gen.nfe}, effective NFE ${gen.effectiveNfe.toFixed(2)}, ${summary.imagesPerSec.toFixed(2)} images/s; wrote ${files.grid}`,
    );
    out.result(summary);
  } finally {
    lm.dispose();
  }
}
