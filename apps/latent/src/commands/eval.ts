import type { Command } from 'commander';
import { initBackend } from '@lowdiff/backend';
import { loadDataset } from '@lowdiff/data';
import { loadShippedClassifier } from '@lowdiff/metrics';
import { openRuntime, runtimeLabel, addFlags, imagesPerSecond, flagGroups, classLabels, samplingFlags, type FlagValues, CliError, defaultExtractor, formatScores, generate, Output, parseFlags, referenceFeatures, resolvePlan, score, sizeOptions, withGuidanceScale } from '@lowdiff/cli-kit';
import { loadLatentModel } from '../latent-model';

const F = samplingFlags;
const EVAL_FLAGS = {
  checkpoint: F.checkpoint('a latent .safetensors checkpoint'),
  vae: F.vae(),
  plan: F.plan('lowdiff-2', 'sampling plan at latent resolutions (see `sample --help`)'),
  ...flagGroups.eval(),
  runtime: F.runtime(),
  threads: F.threads(),
  backend: F.backend(),
  json: F.json('print the scores as JSON on stdout'),
};

export function registerEval(program: Command): void {
  const command = program
    .command('eval')
    .description("score a plan's decoded samples against the test split: FID, KID, IS, precision/recall, conditional accuracy, low-res consistency")
    .addHelpText('after', '\nExample:\n  npx lowdiff-latent eval --checkpoint runs/ldit/train.safetensors --plan lowdiff-2 --count 1000');
  const schema = addFlags(command, EVAL_FLAGS);
  command.action(async (raw) => evaluateCommand(parseFlags(schema, raw)));
}

async function evaluateCommand(flags: FlagValues<typeof EVAL_FLAGS>): Promise<void> {
  const out = new Output(flags.json);
  await initBackend({ backend: flags.backend });
  const lm = await loadLatentModel(flags.checkpoint, flags.vae);
  const rt = await openRuntime(lm.model, flags.runtime, flags.threads).catch((err) => (lm.dispose(), Promise.reject(err)));
  if (rt.note) out.info(`runtime: tfjs (${rt.note})`);
  const { extractor } = await loadShippedClassifier(flags.extractor ?? defaultExtractor(flags.data));
  try {
    const plan = withGuidanceScale(resolvePlan(flags.plan, lm.latentResolution), flags.guidance);
    const test = await loadDataset(flags.data, { split: 'test', ...sizeOptions(lm.imageResolution) });
    if (test.channels !== lm.vae.imageChannels) throw new CliError(`--data: ${flags.data} has ${test.channels} channels, the VAE decodes ${lm.vae.imageChannels}`);
    out.info(`reference features: ${test.name} (${test.count} images) with ${extractor.name}`);
    const ref = await referenceFeatures(extractor, test);
    out.startProgress(`sample ${plan.name}`, flags.count);
    const gen = await generate(rt.denoiser, plan, {
      count: flags.count,
      seed: flags.seed,
      labels: classLabels(flags.class, flags.count, lm.model.numClasses, lm.classNames),
      batchSize: flags.batchSize,
      decode: lm.decode,
      resample: lm.resample,
      onBatch: (d, t) => out.progress(d, t, ''),
    });
    out.stopProgress();
    const s = await score(gen, ref);
    out.info(`${plan.name}: NFE ${gen.nfe}, effective NFE ${gen.effectiveNfe.toFixed(2)}, ${imagesPerSecond(gen).toFixed(2)} images/s on ${runtimeLabel(rt)} (decode included)`);
    out.info(formatScores(s));
    out.result({ plan: plan.name, runtime: rt.runtime, threads: rt.threads, nfe: gen.nfe, effectiveNfe: gen.effectiveNfe, imagesPerSec: imagesPerSecond(gen), ...s });
  } finally {
    await rt.close();
    lm.dispose();
    extractor.dispose();
  }
}
