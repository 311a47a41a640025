/**
 * Our side of the peer benchmark (tools/peer/README.md): loads a checkpoint the way the sampler
 * does (EMA weights), writes fixed inputs and our outputs for the PyTorch parity check, times
 * forward passes and whole plans, and prints JSON.
 *
 *   npx tsx --conditions=@lowdiff/source tools/peer/ours.ts --out DIR [--runtime ort|tfjs]
 *     [--threads 1] [--checkpoint apps/pixel/checkpoints/fmnist-lowdiff.safetensors]
 *     [--plans baseline-heun-18,lowdiff-3] [--guidance 2] [--count 16] [--rounds 2]
 *     [--repeats 5] [--min-time 0.25] [--seed 0] [--check-only]
 *
 * DIR receives ours.json (settings, the resolved plans with each stage's sigma list, timings) and
 * fixtures.safetensors (inputs and outputs of the parity cases, and the noise and final images of
 * a few whole samples). tools/peer/run.sh runs this, then peer_unet.py on DIR.
 */
import * as tf from '@tensorflow/tfjs';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { initBackend } from '@lowdiff/backend';
import { loadModelForSampling, openRuntime, resolvePlan, withGuidanceScale } from '@lowdiff/cli-kit';
import { encodeSafetensors, type EdmDenoiser, type SamplingDenoiser, type WritableTensor } from '@lowdiff/model';
import { NOISE_PURPOSE, perSampleNoise, runCascade, sampleStreams, stageSigmas, type ResolvedCascadePlan } from '@lowdiff/sampler';

export type Runtime = 'tfjs' | 'ort';

/** The model every measurement here uses, on the chosen runtime (as the CLIs open it). */
export async function makeDenoiser(model: EdmDenoiser, runtime: Runtime, threads: number): Promise<SamplingDenoiser> {
  return (await openRuntime(model, runtime, threads)).denoiser;
}

const { values: flags } = parseArgs({
  options: {
    out: { type: 'string' },
    runtime: { type: 'string', default: 'ort' },
    threads: { type: 'string', default: '1' },
    checkpoint: { type: 'string', default: 'apps/pixel/checkpoints/fmnist-lowdiff.safetensors' },
    plans: { type: 'string', default: 'baseline-heun-18,lowdiff-3' },
    guidance: { type: 'string', default: '2' },
    count: { type: 'string', default: '16' },
    rounds: { type: 'string', default: '2' },
    repeats: { type: 'string', default: '5' },
    'min-time': { type: 'string', default: '0.25' },
    seed: { type: 'string', default: '0' },
    'check-only': { type: 'boolean', default: false },
  },
});
const fail = (msg: string): never => {
  console.error(`ours.ts: ${msg}`);
  process.exit(2);
};
const int = (name: string, min: number): number => {
  const v = Number(flags[name as keyof typeof flags]);
  if (!Number.isInteger(v) || v < min) fail(`--${name} must be an integer >= ${min}`);
  return v;
};
if (!flags.out) fail('--out DIR is required');
const runtime = flags.runtime as Runtime;
if (runtime !== 'tfjs' && runtime !== 'ort') fail(`--runtime must be tfjs or ort, got '${flags.runtime}'`);
const threads = int('threads', 1);
const count = int('count', 1);
const rounds = int('rounds', 1);
const repeats = int('repeats', 1);
const seed = int('seed', 0);
const minTime = Number(flags['min-time']);
const guidance = Number(flags.guidance);
if (!(minTime > 0)) fail('--min-time must be > 0 (seconds)');
if (!(guidance >= 0)) fail('--guidance must be >= 0 (1: no guidance)');

const loadAtStart = loadavg()[0];
const { backend } = await initBackend({ backend: 'wasm' });
const { model } = await loadModelForSampling(flags.checkpoint!);
const net = await makeDenoiser(model, runtime, threads).catch((err: Error) => fail(err.message));
const top = model.resolutions[model.resolutions.length - 1];
const labelsFor = (n: number) => (model.numClasses > 0 ? Array.from({ length: n }, (_, i) => i % model.numClasses) : undefined);
const plans: ResolvedCascadePlan[] = flags
  .plans!.split(',')
  // named as asked (a baseline preset's own name is e.g. 'baseline-heun-18@32')
  .map((name) => ({ ...withGuidanceScale(resolvePlan(name.trim(), top), model.numClasses > 0 ? guidance : undefined), name: name.trim() }));
/** What PyTorch runs: the same plans with each stage's sigma list spelled out. */
const plansWithSigmas = plans.map((p) => ({ ...p, stages: p.stages.map((s) => ({ ...s, sigmas: stageSigmas(s) })) }));

// ---- fixed inputs and our outputs ---------------------------------------------------------
const tensors: Record<string, WritableTensor> = {};
const put = async (key: string, t: tf.Tensor) => {
  tensors[key] = { shape: t.shape, data: t.dtype === 'int32' ? new Int32Array(await t.data()) : new Float32Array(await t.data()) };
};
const fixtureRng = (k: number) => perSampleNoise(sampleStreams(seed + 1000, 0, 6, k, NOISE_PURPOSE.start));
const SIGMAS = new Float32Array([0.002, 0.02, 0.3, 2, 20, 80]);
const cases: { key: string; resolution: number; conditioned: boolean; labels: boolean; sigmaAug: number }[] = [];
let k = 0;
for (const r of model.resolutions) {
  for (const conditioned of [false, true]) {
    for (const withLabels of model.numClasses > 0 ? [false, true] : [false]) {
      const key = `case${k}_r${r}_${conditioned ? 'cond' : 'uncond'}_${withLabels ? 'labels' : 'nolabels'}`;
      const sigmaAug = conditioned ? [0, 0.05, 0.5][k % 3] : 0;
      const n = SIGMAS.length;
      const shape = [n, r, r, model.channels];
      const noise = fixtureRng(k);
      const clean = tf.tidy(() => tf.clipByValue(tf.mul(noise(shape), 0.5), -1, 1) as tf.Tensor4D);
      const eps = noise(shape) as tf.Tensor4D;
      const x = tf.tidy(() => tf.add(clean, tf.mul(eps, tf.tensor4d(SIGMAS, [n, 1, 1, 1]))) as tf.Tensor4D);
      const condition = conditioned ? (tf.tidy(() => tf.add(clean, tf.mul(noise(shape), sigmaAug))) as tf.Tensor4D) : null;
      // with labels: every class and the null class; without: none (the network's null class)
      const labels = withLabels ? tf.tensor1d(Array.from({ length: n }, (_, i) => (i === n - 1 ? model.numClasses : (i * 3 + k) % model.numClasses)), 'int32') : null;
      const out = await net.denoise(x, SIGMAS, { resolution: r, condition, sigmaAug, classLabels: labels });
      await put(`${key}/x`, x);
      await put(`${key}/sigma`, tf.tensor1d(SIGMAS));
      if (condition) await put(`${key}/condition`, condition);
      if (labels) await put(`${key}/labels`, labels);
      await put(`${key}/out`, out);
      cases.push({ key, resolution: r, conditioned, labels: withLabels, sigmaAug });
      tf.dispose([clean, eps, x, out, ...(condition ? [condition] : []), ...(labels ? [labels] : [])]);
      k++;
    }
  }
}

// Whole samples from our noise streams: the PyTorch sampler replays them from the same noise.
const SAMPLE_COUNT = 4;
const samples: { key: string; plan: string; count: number; labels?: number[] }[] = [];
for (const plan of plans) {
  const key = `sample_${plan.name}`;
  const labels = labelsFor(SAMPLE_COUNT);
  const result = await runCascade(net as EdmDenoiser, plan, { count: SAMPLE_COUNT, seed, classLabels: labels });
  for (const [s, stage] of plan.stages.entries()) {
    const shape = [SAMPLE_COUNT, stage.resolution, stage.resolution, model.channels];
    for (const [purpose, id] of [['start', NOISE_PURPOSE.start], ['aug', NOISE_PURPOSE.conditionAug]] as const) {
      const t = perSampleNoise(sampleStreams(seed, 0, SAMPLE_COUNT, s, id))(shape);
      await put(`${key}/stage${s}/${purpose}`, t);
      t.dispose();
    }
  }
  await put(`${key}/out`, result.images);
  result.images.dispose();
  samples.push({ key, plan: plan.name!, count: SAMPLE_COUNT, labels });
}

// ---- timing ---------------------------------------------------------------------------------
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const FORWARD_SIZES = [
  { resolution: top / 4, batch: 16 },
  { resolution: top / 4, batch: 64 },
  { resolution: top / 2, batch: 64 },
  { resolution: top, batch: 64 },
].filter((s) => model.resolutions.includes(s.resolution));

/** images/s: the median over `repeats` rounds, each calling until minTime has passed (as peer_unet.py). */
async function timeRate(call: () => Promise<void>, images: number): Promise<{ median: number; rates: number[] }> {
  await call(); // warm-up
  const rates: number[] = [];
  for (let i = 0; i < repeats; i++) {
    let calls = 0;
    const start = performance.now();
    let elapsed = 0;
    do {
      await call();
      calls++;
      elapsed = (performance.now() - start) / 1000;
    } while (elapsed < minTime);
    rates.push((calls * images) / elapsed);
  }
  return { median: median(rates), rates };
}

const forward: { resolution: number; batch: number; imagesPerSec: number; rates: number[] }[] = [];
const sampling: { plan: string; count: number; nfe: number; effectiveNfe: number; imagesPerSec: number; rates: number[] }[] = [];
if (!flags['check-only']) {
  for (const { resolution: r, batch: b } of FORWARD_SIZES) {
    const noise = perSampleNoise(sampleStreams(seed + 2000, 0, b, r, NOISE_PURPOSE.start));
    const x = noise([b, r, r, model.channels]) as tf.Tensor4D;
    const condition = tf.tidy(() => tf.mul(noise([b, r, r, model.channels]), 0.5)) as tf.Tensor4D;
    const labels = model.numClasses > 0 ? tf.tensor1d(labelsFor(b)!, 'int32') : null;
    const t = await timeRate(async () => {
      const y = await net.denoise(x, 1, { resolution: r, condition, sigmaAug: 0.05, classLabels: labels });
      await y.data(); // an asynchronous runtime is timed to its result
      y.dispose();
    }, b);
    forward.push({ resolution: r, batch: b, imagesPerSec: t.median, rates: t.rates });
    tf.dispose([x, condition, ...(labels ? [labels] : [])]);
  }
  for (const plan of plans) {
    const labels = labelsFor(count);
    const run = () => runCascade(net as EdmDenoiser, plan, { count, seed, classLabels: labels });
    (await runCascade(net as EdmDenoiser, plan, { count: Math.min(count, 2), seed, classLabels: labelsFor(Math.min(count, 2)) })).images.dispose(); // warm-up
    const rates: number[] = [];
    let nfe = 0;
    let eff = 0;
    for (let i = 0; i < rounds; i++) {
      const start = performance.now();
      const result = await run();
      rates.push(count / ((performance.now() - start) / 1000));
      nfe = result.nfe;
      eff = result.effectiveNfe;
      result.images.dispose();
    }
    sampling.push({ plan: plan.name!, count, nfe, effectiveNfe: eff, imagesPerSec: median(rates), rates });
  }
}

const report = {
  runtime,
  backend,
  /** 1-minute load average when this started and ended (timings on a busy machine are low). */
  load: [loadAtStart, loadavg()[0]],
  checkpoint: flags.checkpoint,
  settings: { threads, count, rounds, repeats, minTime, seed, guidance: model.numClasses > 0 ? guidance : null, labels: labelsFor(count) ?? null, forwardSizes: FORWARD_SIZES },
  plans: plansWithSigmas,
  fixtures: { cases, samples },
  forward,
  sampling,
};
mkdirSync(flags.out!, { recursive: true });
writeFileSync(join(flags.out!, 'fixtures.safetensors'), encodeSafetensors(tensors, { format: 'lowdiff-peer-fixtures/1' }));
writeFileSync(join(flags.out!, 'ours.json'), JSON.stringify(report, null, 1));
console.log(JSON.stringify({ runtime, backend, threads, forward: forward.map(({ rates: _, ...f }) => f), sampling: sampling.map(({ rates: _, ...s }) => s) }, null, 1));
