import { join } from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import { initBackend } from '@lowdiff/backend';
import { loadDataset } from '@lowdiff/data';
import { featureMatrix, loadShippedClassifier, writeFeaturesNpy } from '@lowdiff/metrics';
import * as tf from '@tensorflow/tfjs';
import { openRuntime, runtimeLabel, addFlags, imagesPerSecond, flagGroups, classLabels, samplingFlags, type FlagValues, CliError, defaultExtractor, formatScores, generate, loadModelForSampling, SamplingPool, Output, parseFlags, referenceFeatures, resolvePlan, score, sizeOptions, withGuidanceScale } from '@lowdiff/cli-kit';

const F = samplingFlags;
const EVAL_FLAGS = {
  checkpoint: F.checkpoint('a .safetensors checkpoint'),
  plan: F.plan('lowdiff-3', 'sampling plan (see `sample --help`)'),
  ...flagGroups.eval(),
  workers: F.workers(),
  featuresOut: { syntax: '--features-out <dir>', help: 'also write the raw features as .npy (real.npy, generated.npy)', schema: z.string().optional() },
  runtime: F.runtime(),
  threads: F.threads(),
  backend: F.backend(),
  json: F.json('print the scores as JSON on stdout'),
};

export function registerEval(program: Command): void {
  const command = program
    .command('eval')
    .description("score a plan's samples against the test split: FID, KID, IS, precision/recall, conditional accuracy, low-res consistency")
    .addHelpText('after', '\nExample:\n  npx lowdiff-pixel eval --checkpoint apps/pixel/checkpoints/fmnist-lowdiff.safetensors --plan lowdiff-3-sdedit --count 1000 --guidance 2');
  const schema = addFlags(command, EVAL_FLAGS);
  command.action(async (raw) => evaluateCommand(parseFlags(schema, raw)));
}

async function evaluateCommand(flags: FlagValues<typeof EVAL_FLAGS>): Promise<void> {
  const out = new Output(flags.json);
  const backend = await initBackend({ backend: flags.backend });
  const { model, classNames } = await loadModelForSampling(flags.checkpoint);
  const rt = await openRuntime(model, flags.runtime, flags.threads, flags.workers);
  if (rt.note) out.info(`runtime: tfjs (${rt.note})`);
  const plan = withGuidanceScale(resolvePlan(flags.plan, model.resolutions[model.resolutions.length - 1]), flags.guidance);
  const { extractor } = await loadShippedClassifier(flags.extractor ?? defaultExtractor(flags.data));
  const test = await loadDataset(flags.data, { split: 'test', ...sizeOptions(plan.stages[plan.stages.length - 1].resolution) });
  if (test.channels !== model.channels) throw new CliError(`--data: ${flags.data} has ${test.channels} channels, the model ${model.channels}`);
  out.info(`reference features: ${test.name} (${test.count} images) with ${extractor.name}`);
  const ref = await referenceFeatures(extractor, test);
  out.startProgress(`sample ${plan.name}`, flags.count);
  const request = {
    count: flags.count,
    seed: flags.seed,
    labels: classLabels(flags.class, flags.count, model.numClasses, classNames),
    batchSize: flags.batchSize,
    onBatch: (d: number, t: number) => out.progress(d, t, ''),
  };
  const pool = flags.workers > 1 ? new SamplingPool({ checkpoint: flags.checkpoint, backend: backend.backend }, flags.workers) : undefined;
  const gen = pool ? await pool.generate(plan, request).finally(() => pool.close()) : await generate(rt.denoiser, plan, request);
  out.stopProgress();
  const imagesPerSec = imagesPerSecond(gen, flags.workers);
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
  out.info(`${plan.name}: NFE ${gen.nfe}, effective NFE ${gen.effectiveNfe.toFixed(2)}, ${imagesPerSec.toFixed(2)} images/s on ${runtimeLabel(rt)}${pool ? ` (${flags.workers} worker threads)` : ''}`);
  out.info(formatScores(s));
  out.result({ plan: plan.name, runtime: rt.runtime, threads: rt.threads, nfe: gen.nfe, effectiveNfe: gen.effectiveNfe, imagesPerSec, workers: flags.workers, ...s });
  await rt.close();
  model.dispose();
  extractor.dispose();
}
