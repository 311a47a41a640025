import type { Command } from 'commander';
import { z } from 'zod';
import { BackendNameSchema, initBackend } from '@lowdiff/backend';
import { loadDataset } from '@lowdiff/data';
import { loadShippedClassifier } from '@lowdiff/metrics';
import { classLabels, CliError, defaultExtractor, formatScores, generate, Output, parseFlags, referenceFeatures, resolvePlan, score, sizeOptions, withGuidanceScale } from '@lowdiff/cli-kit';
import { loadLatentModel } from '../latent-model';

const EvalFlags = z
  .object({
    checkpoint: z.string().min(1),
    vae: z.string().optional(),
    plan: z.string().default('lowdiff-2'),
    count: z.coerce.number().int().min(2).default(1000),
    seed: z.coerce.number().int().default(0),
    class: z.string().default('all'),
    guidance: z.coerce.number().min(0).optional(),
    data: z.enum(['fashion-mnist', 'mnist']).default('fashion-mnist'),
    extractor: z.enum(['classifier-fmnist', 'classifier-mnist']).optional(),
    batchSize: z.coerce.number().int().min(1).default(64),
    backend: BackendNameSchema.default('auto'),
    json: z.boolean().default(false),
  })
  .strict();

export function registerEval(program: Command): void {
  program
    .command('eval')
    .description("score a plan's decoded samples against the test split: FID, KID, IS, precision/recall, conditional accuracy, low-res consistency")
    .requiredOption('--checkpoint <file>', 'a latent .safetensors checkpoint')
    .option('--vae <file>', 'the VAE that decodes (default: the one recorded in the checkpoint)')
    .option('--plan <name|file|json>', 'sampling plan at latent resolutions (see `sample --help`)', 'lowdiff-2')
    .option('--count <n>', 'samples to generate and score', '1000')
    .option('--seed <n>', 'sampling seed', '0')
    .option('--class <k|name|all>', "requested class for every sample, or 'all' (cycles)", 'all')
    .option('--guidance <scale>', 'classifier-free guidance scale for every stage')
    .option('--data <name>', 'reference data set (its test split): fashion-mnist | mnist', 'fashion-mnist')
    .option('--extractor <name>', 'classifier-fmnist | classifier-mnist (default: the one for --data)')
    .option('--batch-size <n>', 'sampling batch size', '64')
    .option('--backend <name>', 'auto | wasm | cpu | tensorflow | tensorflow-gpu | webgpu', 'auto')
    .option('--json', 'print the scores as JSON on stdout')
    .action(async (raw) => evaluateCommand(parseFlags(EvalFlags, raw)));
}

async function evaluateCommand(flags: z.output<typeof EvalFlags>): Promise<void> {
  const out = new Output(flags.json);
  await initBackend({ backend: flags.backend });
  const lm = await loadLatentModel(flags.checkpoint, flags.vae);
  const { extractor } = await loadShippedClassifier(flags.extractor ?? defaultExtractor(flags.data));
  try {
    const plan = withGuidanceScale(resolvePlan(flags.plan, lm.latentResolution), flags.guidance);
    const test = await loadDataset(flags.data, { split: 'test', ...sizeOptions(lm.imageResolution) });
    if (test.channels !== lm.vae.imageChannels) throw new CliError(`--data: ${flags.data} has ${test.channels} channels, the VAE decodes ${lm.vae.imageChannels}`);
    out.info(`reference features: ${test.name} (${test.count} images) with ${extractor.name}`);
    const ref = await referenceFeatures(extractor, test);
    out.startProgress(`sample ${plan.name}`, flags.count);
    const gen = await generate(lm.model, plan, {
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
    out.info(`${plan.name}: NFE ${gen.nfe}, effective NFE ${gen.effectiveNfe.toFixed(2)}, ${((gen.count * 1000) / gen.wallMs).toFixed(2)} images/s (decode included)`);
    out.info(formatScores(s));
    out.result({ plan: plan.name, nfe: gen.nfe, effectiveNfe: gen.effectiveNfe, imagesPerSec: (gen.count * 1000) / gen.wallMs, ...s });
  } finally {
    lm.dispose();
    extractor.dispose();
  }
}
