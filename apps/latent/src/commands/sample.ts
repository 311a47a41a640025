import type { Command } from 'commander';
import { CascadePlanError } from '@lowdiff/sampler';
import { initBackend } from '@lowdiff/backend';
import { prepareOutDir, openRuntime, runtimeLabel, addFlags, imagesPerSecond, classLabels, samplingFlags, type FlagValues, CliError, generate, Output, parseFlags, planPresets, resolvePlan, withGuidanceScale, writeSamples, type Generated } from '@lowdiff/cli-kit';
import { loadLatentModel } from '../latent-model';

const F = samplingFlags;
const SAMPLE_FLAGS = {
  checkpoint: F.checkpoint('a latent .safetensors checkpoint from train (EMA weights are used when present)'),
  vae: F.vae(),
  plan: F.plan('lowdiff-2', `a preset sized to the latent resolution (${Object.keys(planPresets(8)).join(', ')}), a JSON file or inline JSON`),
  count: F.count(64, 'number of images'),
  seed: F.seed(),
  class: F.class(),
  guidance: F.guidance(),
  batchSize: F.batchSize(),
  out: F.out('out/latent-sample'),
  images: F.images(),
  runtime: F.runtime(),
  threads: F.threads(),
  backend: F.backend(),
  json: F.json('print a JSON summary on stdout'),
};

export function registerSample(program: Command): void {
  const command = program
    .command('sample')
    .description('sample a latent checkpoint through a cascade plan and decode: PNG grid, one PNG per image, a stage strip')
    .addHelpText('after', '\nExample:\n  npx lowdiff-latent sample --checkpoint runs/ldit/train.safetensors --plan lowdiff-2 --count 64 --out out/latent-sample');
  const schema = addFlags(command, SAMPLE_FLAGS);
  command.action(async (raw) => sample(parseFlags(schema, raw)));
}

async function sample(flags: FlagValues<typeof SAMPLE_FLAGS>): Promise<void> {
  const out = new Output(flags.json);
  await prepareOutDir(flags.out);
  await initBackend({ backend: flags.backend });
  const lm = await loadLatentModel(flags.checkpoint, flags.vae);
  const rt = await openRuntime(lm.model, flags.runtime, flags.threads).catch((err) => (lm.dispose(), Promise.reject(err)));
  try {
    if (rt.note) out.info(`runtime: tfjs (${rt.note})`);
    const plan = withGuidanceScale(resolvePlan(flags.plan, lm.latentResolution), flags.guidance);
    const labels = classLabels(flags.class, flags.count, lm.model.numClasses, lm.classNames);
    out.startProgress(`sample ${plan.name ?? 'plan'}`, flags.count);
    let gen: Generated;
    try {
      gen = await generate(rt.denoiser, plan, {
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
      throw err instanceof CascadePlanError ? new CliError(`--plan: ${err.message}`) : err;
    }
    out.stopProgress();
    const files = await writeSamples(flags.out, gen, flags.images);
    const summary = {
      plan: plan.name,
      runtime: rt.runtime,
      threads: rt.threads,
      count: gen.count,
      nfe: gen.nfe,
      effectiveNfe: gen.effectiveNfe,
      nfePerStage: gen.stages.map((s) => ({ latentResolution: s.resolution, nfe: s.nfe })),
      imageResolution: gen.resolution,
      imagesPerSec: imagesPerSecond(gen),
      files,
    };
    out.info(
      `${gen.count} images with ${plan.name} (latent stages ${gen.stages.map((s) => s.resolution).join(' -> ')}, decoded to ${gen.resolution}x${gen.resolution}): NFE ${gen.nfe}, effective NFE ${gen.effectiveNfe.toFixed(2)}, ${summary.imagesPerSec.toFixed(2)} images/s on ${runtimeLabel(rt)}; wrote ${files.grid}`,
    );
    out.result(summary);
  } finally {
    await rt.close();
    lm.dispose();
  }
}
