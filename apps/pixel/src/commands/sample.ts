import type { Command } from 'commander';
import { CascadePlanError } from '@lowdiff/sampler';
import { initBackend } from '@lowdiff/backend';
import { prepareOutDir, openRuntime, runtimeLabel, addFlags, imagesPerSecond, classLabels, samplingFlags, type FlagValues, CliError, generate, loadModelForSampling, Output, parseFlags, planPresets, resolvePlan, withGuidanceScale, writeSamples, type Generated } from '@lowdiff/cli-kit';

const F = samplingFlags;
const SAMPLE_FLAGS = {
  checkpoint: F.checkpoint('a .safetensors checkpoint (EMA weights are used when present)'),
  plan: F.plan('lowdiff-3', `a preset (${Object.keys(planPresets(32)).join(', ')}), a JSON file or inline JSON`),
  count: F.count(64, 'number of images'),
  seed: F.seed(),
  class: F.class(),
  guidance: F.guidance(),
  batchSize: F.batchSize(),
  out: F.out('out/sample'),
  images: F.images(),
  runtime: F.runtime(),
  threads: F.threads(),
  backend: F.backend(),
  json: F.json('print a JSON summary on stdout'),
};

export function registerSample(program: Command): void {
  const command = program.command('sample').description('sample a checkpoint through a cascade plan: PNG grid, one PNG per image, and a stage strip').addHelpText('after', '\nExample:\n  npx lowdiff-pixel sample --checkpoint apps/pixel/checkpoints/fmnist-lowdiff.safetensors --plan lowdiff-3 --count 64 --guidance 2 --out out/sample');
  const schema = addFlags(command, SAMPLE_FLAGS);
  command.action(async (raw) => sample(parseFlags(schema, raw)));
}

async function sample(flags: FlagValues<typeof SAMPLE_FLAGS>): Promise<void> {
  const out = new Output(flags.json);
  await prepareOutDir(flags.out);
  await initBackend({ backend: flags.backend });
  const { model, classNames } = await loadModelForSampling(flags.checkpoint);
  const rt = await openRuntime(model, flags.runtime, flags.threads);
  if (rt.note) out.info(`runtime: tfjs (${rt.note})`);
  const top = model.resolutions[model.resolutions.length - 1];
  const plan = withGuidanceScale(resolvePlan(flags.plan, top), flags.guidance);
  const labels = classLabels(flags.class, flags.count, model.numClasses, classNames);
  out.startProgress(`sample ${plan.name ?? 'plan'}`, flags.count);
  let gen: Generated;
  try {
    gen = await generate(rt.denoiser, plan, {
      count: flags.count,
      seed: flags.seed,
      labels,
      batchSize: flags.batchSize,
      stripCount: Math.min(8, flags.count),
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
    nfePerStage: gen.stages.map((s) => ({ resolution: s.resolution, nfe: s.nfe })),
    imagesPerSec: imagesPerSecond(gen),
    files,
  };
  out.info(`${gen.count} images with ${plan.name}: NFE ${gen.nfe}, effective NFE ${gen.effectiveNfe.toFixed(2)}, ${summary.imagesPerSec.toFixed(2)} images/s on ${runtimeLabel(rt)}; wrote ${files.grid}`);
  out.result(summary);
  await rt.close();
  model.dispose();
}

