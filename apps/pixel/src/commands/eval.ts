import { join } from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import { BackendNameSchema, initBackend } from '@lowdiff/backend';
import { loadDataset } from '@lowdiff/data';
import { featureMatrix, loadShippedClassifier, writeFeaturesNpy } from '@lowdiff/metrics';
import * as tf from '@tensorflow/tfjs';
import { classLabels, CliError, defaultExtractor, formatScores, generate, loadModelForSampling, Output, parseFlags, referenceFeatures, resolvePlan, score, sizeOptions, withGuidanceScale } from '@lowdiff/cli-kit';

const EvalFlags = z
  .object({
    checkpoint: z.string().min(1),
    plan: z.string().default('lowdiff-3'),
    count: z.coerce.number().int().min(2).default(1000),
    seed: z.coerce.number().int().default(0),
    class: z.string().default('all'),
    guidance: z.coerce.number().min(0).optional(),
    data: z.enum(['fashion-mnist', 'mnist']).default('fashion-mnist'),
    extractor: z.enum(['classifier-fmnist', 'classifier-mnist']).optional(),
    batchSize: z.coerce.number().int().min(1).default(64),
    featuresOut: z.string().optional(),
    backend: BackendNameSchema.default('auto'),
    json: z.boolean().default(false),
  })
  .strict();

export function registerEval(program: Command): void {
  program
    .command('eval')
    .description("score a plan's samples against the test split: FID, KID, IS, precision/recall, conditional accuracy, low-res consistency")
    .requiredOption('--checkpoint <file>', 'a .safetensors checkpoint')
    .option('--plan <name|file|json>', 'sampling plan (see `sample --help`)', 'lowdiff-3')
    .option('--count <n>', 'samples to generate and score', '1000')
    .option('--seed <n>', 'sampling seed', '0')
    .option('--class <k|name|all>', "requested class for every sample, or 'all' (cycles)", 'all')
    .option('--guidance <scale>', 'classifier-free guidance scale for every stage')
    .option('--data <name>', 'reference data set (its test split): fashion-mnist | mnist', 'fashion-mnist')
    .option('--extractor <name>', 'classifier-fmnist | classifier-mnist (default: the one for --data)')
    .option('--batch-size <n>', 'sampling batch size', '64')
    .option('--features-out <dir>', 'also write the raw features as .npy (real.npy, generated.npy)')
    .option('--backend <name>', 'auto | wasm | cpu | tensorflow | tensorflow-gpu | webgpu', 'auto')
    .option('--json', 'print the scores as JSON on stdout')
    .action(async (raw) => evaluateCommand(parseFlags(EvalFlags, raw)));
}

async function evaluateCommand(flags: z.output<typeof EvalFlags>): Promise<void> {
  const out = new Output(flags.json);
  await initBackend({ backend: flags.backend });
  const { model, classNames } = await loadModelForSampling(flags.checkpoint);
  const plan = withGuidanceScale(resolvePlan(flags.plan, model.resolutions[model.resolutions.length - 1]), flags.guidance);
  const { extractor } = await loadShippedClassifier(flags.extractor ?? defaultExtractor(flags.data));
  const test = await loadDataset(flags.data, { split: 'test', ...sizeOptions(plan.stages[plan.stages.length - 1].resolution) });
  if (test.channels !== model.channels) throw new CliError(`--data: ${flags.data} has ${test.channels} channels, the model ${model.channels}`);
  out.info(`reference features: ${test.name} (${test.count} images) with ${extractor.name}`);
  const ref = await referenceFeatures(extractor, test);
  out.startProgress(`sample ${plan.name}`, flags.count);
  const gen = await generate(model, plan, {
    count: flags.count,
    seed: flags.seed,
    labels: classLabels(flags.class, flags.count, model.numClasses, classNames),
    batchSize: flags.batchSize,
    onBatch: (d, t) => out.progress(d, t, ''),
  });
  out.stopProgress();
  const s = await score(gen, ref);
  if (flags.featuresOut) {
    await writeFeaturesNpy(join(flags.featuresOut, 'real.npy'), ref.features);
    const r = gen.resolution;
    const feats: Float32Array[] = [];
    for (let i = 0; i < gen.count; i += 250) {
      const n = Math.min(250, gen.count - i);
      const batch = tf.tensor4d(gen.images.subarray(i * r * r * gen.channels, (i + n) * r * r * gen.channels), [n, r, r, gen.channels]);
      const o = extractor.features(batch);
      feats.push(o.features.dataSync() as Float32Array);
      tf.dispose([batch, o.features, ...(o.logits ? [o.logits] : [])]);
    }
    const all = new Float32Array(feats.reduce((a, f) => a + f.length, 0));
    feats.reduce((at, f) => (all.set(f, at), at + f.length), 0);
    await writeFeaturesNpy(join(flags.featuresOut, 'generated.npy'), featureMatrix(extractor.name, all, extractor.featureDim));
  }
  out.info(`${plan.name}: NFE ${gen.nfe}, effective NFE ${gen.effectiveNfe.toFixed(2)}, ${((gen.count * 1000) / gen.wallMs).toFixed(2)} images/s`);
  out.info(formatScores(s));
  out.result({ plan: plan.name, nfe: gen.nfe, effectiveNfe: gen.effectiveNfe, imagesPerSec: (gen.count * 1000) / gen.wallMs, ...s });
  model.dispose();
  extractor.dispose();
}
