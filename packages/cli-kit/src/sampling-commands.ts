import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { Command } from 'commander';
import { z } from 'zod';
import { ensureDir, initBackend } from '@lowdiff/backend';
import { loadDataset } from '@lowdiff/data';
import { featureMatrix, loadShippedClassifier, writeFeaturesNpy, type FeatureExtractor } from '@lowdiff/metrics';
import { CascadePlanError, type ResolvedCascadePlan } from '@lowdiff/sampler';
import { benchEntries, benchTable, runBench, splitPlans } from './bench-runner';
import { classLabels } from './checkpoint-model';
import { CliError, parseFlags } from './cli-error';
import { defaultExtractor, formatScores, generatedParts, referenceFeatures, scoredBatches, scoreParts } from './evaluate';
import { generate, imagesPerSecond, sizeOptions, type Generated } from './generate';
import { addFlags, flagGroups, samplingFlags as F, type Flag } from './flags';
import { Output } from './output';
import { expandPlans, planPresets, resolvePlan, withGuidanceScale } from './presets';
import { PlotPathSchema, writeFrontierPlot } from './frontier-plot';
import { openRuntime, runtimeLabel, type SamplingRuntime } from './runtime';
import type { SamplingSpace, SpaceKind } from './sampling-space';
import { SamplingPool } from './sampling-pool';
import { prepareOutDir, writeSamples } from './write-samples';
import { fileSha256, mergeShards, writeShard, SHARD_FORMAT, type ShardManifest } from './shard-files';
import { resolveShard, shardRange, type Shard } from './shard';
import { EXPORT_FLAGS, runExport } from './export-command';
import { scoredAsText, type ScoreMode } from './score-mode';
import { checkPlanTraining } from './training-check';

/**
 * What differs between the pixel and the latent CLI for the sampling commands: the program name,
 * the space (its loader and extra flags), and defaults. The commands themselves are these.
 */
export interface SamplingApp {
  bin: string;
  space: SpaceKind;
  /** Default plan of sample / eval, and default plan list of bench. */
  plan: string;
  plans: string;
  sampleOut: string;
  /** An example checkpoint path for --help. */
  exampleCheckpoint: string;
}

type Values = Record<string, unknown> & { checkpoint: string; backend: 'auto'; json: boolean };

/** Registers a command whose flags are `flags` plus the space's, parsed with zod before `run`. */
function register(program: Command, app: SamplingApp, name: string, description: string, example: string, flags: Record<string, Flag>, run: (v: Values, space: SamplingSpace, out: Output) => Promise<void>): void {
  const command = program.command(name).description(description).addHelpText('after', `\nExample:\n  npx ${app.bin} ${name} ${example}`);
  const schema = addFlags(command, { checkpoint: F.checkpoint(`a ${app.space.name === 'latent' ? 'latent ' : ''}.safetensors checkpoint (EMA weights are used when present)`), ...app.space.flags, ...flags });
  command.action(async (raw: Record<string, unknown>) => {
    const v = parseFlags(schema, raw) as Values;
    const out = new Output(v.json);
    // A shard writes under --shard-out only.
    if (typeof v.out === 'string' && !v.shardOut) await prepareOutDir(v.out);
    await initBackend({ backend: v.backend });
    const space = await app.space.load(v.checkpoint, v);
    try {
      await run(v, space, out);
    } finally {
      space.dispose();
    }
  });
}

async function openRuntimes(space: SamplingSpace, names: readonly string[], threads: unknown, workers: number, out: Output): Promise<SamplingRuntime[]> {
  const runtimes: SamplingRuntime[] = [];
  for (const name of names) {
    const rt = await openRuntime(space.model, name as 'auto', threads as number | undefined, workers);
    if (rt.note) out.info(`runtime: tfjs (${rt.note})`);
    runtimes.push(rt);
  }
  return runtimes;
}

/**
 * The plan a flag names, with --guidance, checked against what the model was trained for before
 * anything samples (a misfit stops here; its warnings print once, and go into --json as
 * `warnings`).
 */
function plansFor(space: SamplingSpace, spec: string, guidance: unknown): { plan: ResolvedCascadePlan; warnings: string[] } {
  const plan = withGuidanceScale(resolvePlan(spec, space.modelResolution), guidance as number | undefined);
  return { plan, warnings: checkPlanTraining(space.model.trainedFor, plan).map((w) => w.message) };
}
const asPlanError = (err: unknown) => (err instanceof CascadePlanError ? new CliError(`--plan: ${err.message}`) : err);

/** `sample`: PNG grid, one PNG per image, and a stage strip. */
export function registerSampleCommand(program: Command, app: SamplingApp): void {
  const flags = {
    plan: F.plan(app.plan, `a preset sized to the model's top resolution (${Object.keys(planPresets(32)).join(', ')}), a JSON file or inline JSON`),
    count: F.count(64, 'number of images'),
    seed: F.seed(),
    class: F.class(),
    guidance: F.guidance(),
    batchSize: F.batchSize(),
    out: F.out(app.sampleOut),
    images: F.images(),
    ...SHARD_FLAGS,
    runtime: F.runtime(),
    threads: F.threads(),
    backend: F.backend(),
    json: F.json('print a JSON summary on stdout'),
  };
  const example = `--checkpoint ${app.exampleCheckpoint} --plan ${app.plan} --count 64 --out ${app.sampleOut}`;
  register(program, app, 'sample', 'sample a checkpoint through a cascade plan: PNG grid, one PNG per image, and a stage strip', example, flags, async (v, space, out) => {
    const shard = shardOf(v);
    const [rt] = await openRuntimes(space, [v.runtime as string], v.threads, 1, out);
    try {
      const { plan, warnings } = plansFor(space, v.plan as string, v.guidance);
      const total = v.count as number;
      const { start, end } = shard ? shardRange(total, shard) : { start: 0, end: total };
      const count = end - start;
      out.startProgress(`sample ${plan.name ?? 'plan'}`, count);
      const gen: Generated = await generate(rt.denoiser, plan, {
        checkTraining: false, // plansFor checked it
        count,
        seed: v.seed as number,
        firstIndex: start,
        labels: classLabels(v.class as string | undefined, total, space.model.numClasses, space.classNames)?.slice(start, end),
        batchSize: v.batchSize as number,
        stripCount: Math.min(8, count),
        decode: space.decode,
        resample: space.resample,
        onBatch: (done, all) => out.progress(done, all, ''),
      }).catch((err) => Promise.reject(asPlanError(err)));
      out.stopProgress();
      let files: Awaited<ReturnType<typeof writeSamples>> = { grid: '', strip: '' };
      if (shard) {
        const manifest = await shardManifest('sample', v, space.imageResolution, { plan, total, shard, start, end, rt, gen }, { labels: gen.labels.length === count ? gen.labels : null, lowRes: null });
        // Image files are numbered by sample index, so the shards' images/ folders add up to one run's.
        const folder = await writeShard(v.shardOut as string, manifest, null, async (tmp) => void (await writeSamples(tmp, gen, true, start)));
        files = { grid: join(folder, 'grid.png'), strip: join(folder, 'stage-strip.png'), images: join(folder, 'images') };
      } else files = await writeSamples(v.out as string, gen, v.images as boolean);
      const summary = {
        plan: plan.name,
        runtime: rt.runtime,
        threads: rt.threads,
        count: gen.count,
        ...(shard ? { shard, start, end } : {}),
        nfe: gen.nfe,
        effectiveNfe: gen.effectiveNfe,
        nfePerStage: gen.stages.map((s) => ({ resolution: s.resolution, nfe: s.nfe })),
        imageResolution: gen.resolution,
        imagesPerSec: imagesPerSecond(gen),
        files,
        warnings,
      };
      out.info(`${gen.count} images with ${plan.name} (${space.describe}): NFE ${gen.nfe}, effective NFE ${gen.effectiveNfe.toFixed(2)}, ${summary.imagesPerSec.toFixed(2)} images/s on ${runtimeLabel(rt)}; wrote ${files.grid}`);
      out.result(summary);
    } finally {
      await rt.close();
    }
  });
}

const SHARD_FLAGS = {
  shard: { syntax: '--shard <i/n>', help: 'run shard i of n (a contiguous block of the samples); default: JOB_COMPLETION_INDEX + LOWDIFF_SHARDS (Kubernetes) or SLURM_ARRAY_TASK_ID/COUNT (Slurm) when set', schema: z.string().optional() },
  shardOut: { syntax: '--shard-out <dir>', help: 'write this shard into <dir>/shard-NNNN-of-NNNN (atomically) for `merge` instead of scoring', schema: z.string().optional() },
};

/** The shard a command runs (none: the whole set); a shard needs a --shard-out folder. */
function shardOf(v: Values): Shard | null {
  const shard = resolveShard(v.shard as string | undefined) ?? (v.shardOut ? { index: 0, count: 1 } : null);
  if (shard && !v.shardOut) throw new CliError(`--shard: shard ${shard.index}/${shard.count} needs --shard-out <dir> (merge puts the shards together)`);
  return shard;
}

/** The manifest of a shard a command wrote: the run it belongs to, its samples, how fast. */
async function shardManifest(
  command: ShardManifest['command'],
  v: Values,
  imageResolution: number,
  r: { plan: unknown; total: number; shard: Shard; start: number; end: number; rt: SamplingRuntime; gen: Generated },
  scored: Pick<ShardManifest, 'labels' | 'lowRes'>,
  reference: Pick<ShardManifest['run'], 'data' | 'extractor' | 'scoredAs'> = {},
): Promise<ShardManifest> {
  return {
    format: SHARD_FORMAT,
    command,
    run: { checkpointSha256: await fileSha256(v.checkpoint), plan: r.plan, seed: v.seed as number, count: r.total, shards: r.shard.count, ...reference, imageResolution },
    shard: r.shard,
    start: r.start,
    end: r.end,
    runtime: r.rt.runtime,
    threads: r.rt.threads ?? null,
    nfe: r.gen.nfe,
    effectiveNfe: r.gen.effectiveNfe,
    wallMs: r.gen.wallMs,
    ...scored,
  };
}

/** `eval`: scores a plan's (decoded) samples against the test split. */
export function registerEvalCommand(program: Command, app: SamplingApp): void {
  const flags = {
    plan: F.plan(app.plan, 'sampling plan (see `sample --help`)'),
    ...flagGroups.eval(),
    ...(app.space.workers ? { workers: F.workers() } : {}),
    featuresOut: { syntax: '--features-out <dir>', help: 'also write the raw features as .npy (real.npy, generated.npy)', schema: z.string().optional() },
    ...SHARD_FLAGS,
    runtime: F.runtime(),
    threads: F.threads(),
    backend: F.backend(),
    json: F.json('print the scores as JSON on stdout'),
  };
  const example = `--checkpoint ${app.exampleCheckpoint} --plan ${app.plan} --count 1000 --guidance 2`;
  const what = "score a plan's samples against the test split: FID, KID, IS, precision/recall, conditional accuracy, low-res consistency";
  register(program, app, 'eval', what, example, flags, async (v, space, out) => {
    const workers = (v.workers as number | undefined) ?? 1;
    const shard = shardOf(v);
    const [rt] = await openRuntimes(space, [v.runtime as string], v.threads, workers, out);
    const extractorName = (v.extractor as string | undefined) ?? defaultExtractor(v.data as 'mnist');
    const { extractor } = await loadShippedClassifier(extractorName as 'classifier-fmnist');
    try {
      const { plan, warnings } = plansFor(space, v.plan as string, v.guidance);
      const total = v.count as number;
      const { start, end } = shard ? shardRange(total, shard) : { start: 0, end: total };
      const count = end - start;
      const labels = classLabels(v.class as string | undefined, total, space.model.numClasses, space.classNames)?.slice(start, end);
      out.startProgress(`sample ${plan.name}${shard ? ` (shard ${shard.index}/${shard.count}: samples ${start}..${end - 1})` : ''}`, count);
      const request = { count, seed: v.seed as number, firstIndex: start, labels, batchSize: v.batchSize as number, onBatch: (d: number, t: number) => out.progress(d, t, '') };
      const pool = workers > 1 ? new SamplingPool({ checkpoint: v.checkpoint, backend: tf.getBackend() as 'wasm' }, workers) : undefined;
      const gen = pool ? await pool.generate(plan, request).finally(() => pool.close()) : await generate(rt.denoiser, plan, { ...request, checkTraining: false, decode: space.decode, resample: space.resample });
      out.stopProgress();
      const imagesPerSec = imagesPerSecond(gen, workers);
      const scoredAs = v.score as ScoreMode;
      const parts = await generatedParts(gen, extractor, scoredAs);
      if (shard) {
        const manifest = await shardManifest('eval', v, space.imageResolution, { plan, total, shard, start, end, rt, gen }, { labels: parts.labels, lowRes: parts.lowRes }, { data: v.data as string, extractor: extractor.name, scoredAs });
        const folder = await writeShard(v.shardOut as string, manifest, parts);
        out.info(`shard ${shard.index}/${shard.count}: samples ${start}..${end - 1} of ${total} (${imagesPerSec.toFixed(2)} images/s) -> ${folder}; \`${app.bin} merge ${v.shardOut}\` scores them all`);
        out.result({ shard, start, end, folder, imagesPerSec });
        return;
      }
      const test = await loadDataset(v.data as string, { split: 'test', ...sizeOptions(space.imageResolution) });
      if (test.channels !== space.adapter.imageChannels) throw new CliError(`--data: ${v.data} has ${test.channels} channels, the model's images ${space.adapter.imageChannels}`);
      out.info(`reference features: ${test.name} (${test.count} images) with ${extractor.name}`);
      const ref = await referenceFeatures(extractor, test);
      const s = scoreParts(parts, ref);
      if (v.featuresOut) await writeFeatures(v.featuresOut as string, extractor, ref.features, gen, scoredAs);
      out.info(`${plan.name} (${space.describe}): NFE ${gen.nfe}, effective NFE ${gen.effectiveNfe.toFixed(2)}, ${imagesPerSec.toFixed(2)} images/s on ${runtimeLabel(rt)}${pool ? ` (${workers} worker threads)` : ''}`);
      out.info(formatScores(s));
      out.result({ plan: plan.name, runtime: rt.runtime, threads: rt.threads, nfe: gen.nfe, effectiveNfe: gen.effectiveNfe, imagesPerSec, workers, ...s, warnings: [...s.warnings, ...warnings] });
    } finally {
      await rt.close();
      extractor.dispose();
    }
  });
}

/**
 * `merge <dir>`: the shards an `eval --shard-out <dir>` run wrote, checked to belong together and
 * to cover every sample once, scored as one set: the same table and JSON as a single `eval`.
 */
export function registerMergeCommand(program: Command, app: SamplingApp): void {
  const command = program
    .command('merge')
    .description('score the shards `eval --shard i/n --shard-out <dir>` wrote as one evaluation (the same table and --json as eval)')
    .argument('<dir>', 'the --shard-out folder')
    .addHelpText('after', `\nExample:\n  npx ${app.bin} eval --checkpoint ${app.exampleCheckpoint} --count 1000 --shard 0/2 --shard-out out/shards\n  npx ${app.bin} eval --checkpoint ${app.exampleCheckpoint} --count 1000 --shard 1/2 --shard-out out/shards\n  npx ${app.bin} merge out/shards`);
  const schema = addFlags(command, { backend: F.backend(), json: F.json('print the scores as JSON on stdout') });
  command.action(async (dir: string, raw: Record<string, unknown>) => {
    const v = parseFlags(schema, raw) as unknown as { backend: 'auto'; json: boolean };
    const out = new Output(v.json);
    await initBackend({ backend: v.backend });
    const { manifests, parts } = await mergeShards(dir);
    const run = manifests[0].run;
    const { extractor } = await loadShippedClassifier(run.extractor as 'classifier-fmnist');
    try {
      const test = await loadDataset(run.data!, { split: 'test', ...sizeOptions(run.imageResolution) });
      out.info(`${manifests.length} shard(s), ${run.count} samples; reference features: ${test.name} (${test.count} images) with ${extractor.name}`);
      const s = scoreParts(parts, await referenceFeatures(extractor, test));
      const imagesPerSec = manifests.reduce((a, m) => a + ((m.end - m.start) * 1000) / m.wallMs, 0);
      const plan = (run.plan as { name?: string }).name;
      out.info(`${plan}: NFE ${manifests[0].nfe}, effective NFE ${manifests[0].effectiveNfe.toFixed(2)}, ${imagesPerSec.toFixed(2)} images/s over ${manifests.length} shard(s) on ${manifests[0].runtime}`);
      out.info(formatScores(s));
      out.result({ plan, runtime: manifests[0].runtime, threads: manifests[0].threads, nfe: manifests[0].nfe, effectiveNfe: manifests[0].effectiveNfe, imagesPerSec, shards: manifests.length, ...s });
    } finally {
      extractor.dispose();
    }
  });
}

/** --features-out: the features of the images exactly as scored (`scoredAs`). */
async function writeFeatures(dir: string, extractor: FeatureExtractor, real: Parameters<typeof writeFeaturesNpy>[1], gen: Generated, scoredAs: ScoreMode): Promise<void> {
  await writeFeaturesNpy(join(dir, 'real.npy'), real);
  const all = new Float32Array(gen.count * extractor.featureDim);
  let at = 0;
  for (const batch of scoredBatches(gen, scoredAs)) {
    const o = extractor.features(batch);
    all.set(o.features.dataSync() as Float32Array, at);
    at += o.features.size;
    tf.dispose([batch, o.features, ...(o.logits ? [o.logits] : [])]);
  }
  await writeFeaturesNpy(join(dir, 'generated.npy'), featureMatrix(extractor.name, all, extractor.featureDim));
}

/** `bench`: several plans (and runtimes) on one checkpoint, interleaved in one process. */
export function registerBenchCommand(program: Command, app: SamplingApp): void {
  const flags = {
    plans: F.plans(app.plans),
    ...flagGroups.bench(),
    ...(app.space.workers ? { workers: F.workers() } : {}),
    metrics: F.metrics(),
    plot: {
      syntax: '--plot <file>',
      help: 'also draw FID against images/s, one curve per sampler family, to <file>.png or <file>.svg (e.g. with --plans frontier)',
      schema: PlotPathSchema.optional(),
    },
    runtime: F.runtimes(),
    threads: F.threads(),
    backend: F.backend(),
    json: F.json('print the rows as JSON on stdout'),
  };
  const example = `--checkpoint ${app.exampleCheckpoint} --plans ${app.plans} --count 500 --guidance 2   # --runtime ort,tfjs compares runtimes\n  npx ${app.bin} bench --checkpoint ${app.exampleCheckpoint} --plans frontier --count 5000 --rounds 10 --guidance 2 --plot out/frontier.png`;
  register(program, app, 'bench', 'several plans on one checkpoint, interleaved in one process: speed, effective NFE and quality side by side', example, flags, async (v, space, out) => {
    const workers = (v.workers as number | undefined) ?? 1;
    const plot = v.plot as string | undefined;
    // Checked before any sampling: a bench can run for hours.
    if (plot && !v.metrics) throw new CliError('--plot: draws FID, which --no-metrics skips');
    if (plot) await ensureDir(dirname(plot)).catch((err: Error) => Promise.reject(new CliError(`--plot: ${err.message}`)));
    const checked = expandPlans(splitPlans(v.plans as string), space.modelResolution).map((p) => plansFor(space, p, v.guidance));
    const plans = checked.map((c) => c.plan);
    const warnings = Object.fromEntries(checked.filter((c) => c.warnings.length > 0).map((c) => [c.plan.name ?? 'custom', c.warnings]));
    const runtimes = await openRuntimes(space, v.runtime as string[], v.threads, workers, out);
    try {
      const pool = workers > 1 ? new SamplingPool({ checkpoint: v.checkpoint, backend: tf.getBackend() as 'wasm' }, workers) : undefined;
      const options = { ...(v as unknown as Parameters<typeof runBench>[1]), pool, decode: space.decode, resample: space.resample, onProgress: (m: string) => out.info(m) };
      const { rows } = await runBench(benchEntries(plans, runtimes), options, space.classNames).finally(() => pool?.close());
      const extractor = rows[0].scores?.extractor;
      const where = `${runtimes.map(runtimeLabel).join(' vs ')}${pool ? ` in ${workers} worker threads` : ''}`;
      const rounds = `${v.rounds} interleaved round${v.rounds === 1 ? '' : 's'}`;
      out.info(`\n${v.count} samples per plan, ${rounds}, ${where}, ${space.describe}${extractor ? `, metrics with ${extractor} against ${rows[0].scores!.reference}, ${scoredAsText(v.score as ScoreMode)}` : ''}`);
      if (!v.json) process.stdout.write(`${benchTable(rows)}\n`);
      if (plot) {
        const guidance = v.guidance === undefined ? "each plan's own guidance" : `guidance ${v.guidance}`;
        out.info(`wrote ${await writeFrontierPlot(plot, rows, { notes: [`${rounds}, ${guidance}, ${where}`] })}`);
      }
      const scoring = v.metrics ? { scoredAs: v.score } : {};
      out.result({ backend: tf.getBackend(), runtimes: runtimes.map((r) => ({ runtime: r.runtime, threads: r.threads })), workers, count: v.count, rounds: v.rounds, modelResolution: space.modelResolution, ...scoring, ...(plot ? { plot } : {}), warnings, rows });
    } finally {
      for (const rt of runtimes) await rt.close();
    }
  });
}

/** `export`: the denoiser as ONNX graphs, one per stage, plus a manifest. */
export function registerExportCommand(program: Command, app: SamplingApp): void {
  const command = program
    .command('export')
    .description('write the denoiser as ONNX graphs (opset 17, dynamic batch), one per stage, plus a JSON manifest, for ONNX Runtime or other tools')
    .addHelpText('after', `\nExample:\n  npx ${app.bin} export --checkpoint ${app.exampleCheckpoint} --out out/onnx/model.onnx`);
  const schema = addFlags(command, EXPORT_FLAGS);
  command.action(async (raw: Record<string, unknown>) => runExport(parseFlags(schema, raw)));
}
