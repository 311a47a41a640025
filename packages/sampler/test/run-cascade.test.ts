import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, Rng } from '@lowdiff/backend';
import { karrasSigmas } from '@lowdiff/schedule';
import { CascadePlanError, NOISE_PURPOSE, runCascade, type CascadePlan, type CascadeStepInfo, type StageInfo } from '../src';
import { ConvFakeModel, FakeUnifiedModel, maxAbsDiff } from './helpers';

beforeAll(() => initBackend({ backend: 'wasm' }));

/** The seed contract: image i's draws for (stage, purpose), recomputed independently of the runner. */
function draws(seed: number, index: number, stage: number, purpose: number, n: number): Float32Array {
  return Rng.derive(seed, index, stage, purpose).normalArray(n);
}

/** Nearest 2x-per-axis (any integer factor) upsampling of one single-channel r x r image. */
function nearestUp(img: Float32Array, r: number, to: number): Float32Array {
  const f = to / r;
  return Float32Array.from({ length: to * to }, (_, k) => img[Math.floor(Math.floor(k / to) / f) * r + Math.floor((k % to) / f)]);
}

/** Bilinear upsampling with half-pixel centres and edge clamping, one single-channel image. */
function bilinearUp(img: Float32Array, r: number, to: number): Float32Array {
  const src = (o: number) => {
    const p = Math.min(Math.max((o + 0.5) * (r / to) - 0.5, 0), r - 1);
    const lo = Math.floor(p);
    return { lo, hi: Math.min(lo + 1, r - 1), w: p - lo };
  };
  return Float32Array.from({ length: to * to }, (_, k) => {
    const y = src(Math.floor(k / to));
    const x = src(k % to);
    const at = (a: number, b: number) => img[a * r + b];
    const top = at(y.lo, x.lo) * (1 - x.w) + at(y.lo, x.hi) * x.w;
    const bottom = at(y.hi, x.lo) * (1 - x.w) + at(y.hi, x.hi) * x.w;
    return top * (1 - y.w) + bottom * y.w;
  });
}

const row = (a: Float32Array, i: number, n: number) => a.subarray(i * n, (i + 1) * n);
const axpy = (a: Float32Array, s: number, b: Float32Array) => Float32Array.from(a, (v, k) => v + s * b[k]);

describe('runCascade with an analytic model', () => {
  const plan: CascadePlan = {
    name: 'test',
    stages: [
      { resolution: 8, steps: 3, solver: 'euler' },
      { resolution: 16, steps: 2, solver: 'heun', sigmaAug: 0.1, upsample: 'nearest' },
      { resolution: 32, steps: 2, solver: 'euler', sigmaAug: 0.05, upsample: 'bilinear', start: { kind: 'upsampled', sigmaStart: 1.5 } },
    ],
  };

  it('uses a custom resample (e.g. pixel-space resizing of latents) in place of upsampling', async () => {
    const model = new FakeUnifiedModel();
    const seen: [number[], number, string][] = [];
    const resample = (prev: tf.Tensor4D, r: number, mode: string) => {
      seen.push([prev.shape, r, mode]);
      return tf.fill([prev.shape[0], r, r, prev.shape[3]], 0.25) as tf.Tensor4D;
    };
    const before = tf.memory().numTensors;
    const result = await runCascade(model, plan, { count: 1, seed: 3, resample });
    result.images.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(seen).toEqual([[[1, 8, 8, 1], 16, 'nearest'], [[1, 16, 16, 1], 32, 'bilinear']]);
    const cond = model.calls[3].condition!;
    const aug = draws(3, 0, 1, NOISE_PURPOSE.conditionAug, 256);
    expect(maxAbsDiff(cond, aug.map((v) => 0.25 + 0.1 * v))).toBeLessThan(1e-5);
  });

  it('runs each stage at its resolution with the right condition, starting noise and sigmas', async () => {
    const model = new FakeUnifiedModel();
    const seed = 7;
    const count = 2;
    const outputs: Float32Array[] = [];
    const result = await runCascade(model, plan, { count, seed, onStage: (s) => void outputs.push(s.images.dataSync() as Float32Array) });
    const calls = model.calls;

    expect(calls.map((c) => c.resolution)).toEqual([8, 8, 8, 16, 16, 16, 32, 32]);
    calls.forEach((c) => expect(c.shape).toEqual([count, c.resolution, c.resolution, 1]));
    expect(calls.map((c) => c.sigma)).toEqual([
      ...karrasSigmas({ steps: 3 }).slice(0, 3),
      ...[80, karrasSigmas({ steps: 2 })[1], karrasSigmas({ steps: 2 })[1]],
      ...karrasSigmas({ steps: 2, sigmaMax: 1.5 }).slice(0, 2),
    ]);

    // Stage 1: no condition, sigma_max noise from the (seed, i, 0, start) stream.
    for (const c of calls.slice(0, 3)) expect([c.condition, c.sigmaAug, c.classLabels]).toEqual([null, undefined, null]);
    for (let i = 0; i < count; i++) {
      expect(maxAbsDiff(row(calls[0].x, i, 64), draws(seed, i, 0, NOISE_PURPOSE.start, 64).map((v) => 80 * v))).toBeLessThan(1e-4);
    }

    // Stage 2: condition = nearest-upsampled stage-1 output + 0.1 * aug noise; start = 80 * noise.
    for (let i = 0; i < count; i++) {
      const up = nearestUp(row(outputs[0], i, 64), 8, 16);
      const condition = axpy(up, 0.1, draws(seed, i, 1, NOISE_PURPOSE.conditionAug, 256));
      for (const c of calls.slice(3, 6)) expect(maxAbsDiff(row(c.condition!, i, 256), condition)).toBeLessThan(1e-5);
      expect(maxAbsDiff(row(calls[3].x, i, 256), draws(seed, i, 1, NOISE_PURPOSE.start, 256).map((v) => 80 * v))).toBeLessThan(1e-4);
    }
    expect(calls.slice(3).map((c) => c.sigmaAug)).toEqual([0.1, 0.1, 0.1, 0.05, 0.05]);

    // Stage 3: bilinear condition; start = upsampled (without aug noise) + 1.5 * noise.
    for (let i = 0; i < count; i++) {
      const up = bilinearUp(row(outputs[1], i, 256), 16, 32);
      const condition = axpy(up, 0.05, draws(seed, i, 2, NOISE_PURPOSE.conditionAug, 1024));
      expect(maxAbsDiff(row(calls[6].condition!, i, 1024), condition)).toBeLessThan(1e-5);
      expect(maxAbsDiff(row(calls[6].x, i, 1024), axpy(up, 1.5, draws(seed, i, 2, NOISE_PURPOSE.start, 1024)))).toBeLessThan(1e-5);
    }

    expect(result.images.shape).toEqual([count, 32, 32, 1]);
    expect(maxAbsDiff(result.images, outputs[2])).toBe(0);
    result.images.dispose();
  });

  it('runs an unconditioned (SDEdit-style) refinement stage from the noised upsampled image, without a condition', async () => {
    const model = new FakeUnifiedModel();
    const sdedit: CascadePlan = {
      stages: [
        { resolution: 8, steps: 2, solver: 'euler' },
        { resolution: 32, steps: 2, solver: 'euler', conditioned: false, sigmaAug: 0.3, start: { kind: 'upsampled', sigmaStart: 2 } },
      ],
    };
    const outputs: Float32Array[] = [];
    const result = await runCascade(model, sdedit, { count: 2, seed: 5, onStage: (s) => void outputs.push(s.images.dataSync() as Float32Array) });
    result.images.dispose();
    const refine = model.calls.slice(2);
    expect(refine.map((c) => [c.resolution, c.condition, c.sigmaAug])).toEqual([
      [32, null, undefined],
      [32, null, undefined],
    ]);
    for (let i = 0; i < 2; i++) {
      const up = bilinearUp(row(outputs[0], i, 64), 8, 32);
      expect(maxAbsDiff(row(refine[0].x, i, 1024), axpy(up, 2, draws(5, i, 1, NOISE_PURPOSE.start, 1024)))).toBeLessThan(1e-5);
    }
  });

  it('reports NFE per stage and effective NFE weighted by flopsPerCall', async () => {
    const model = new FakeUnifiedModel(); // flopsPerCall(r) = r^2
    const stages: StageInfo[] = [];
    const result = await runCascade(model, plan, { count: 3, seed: 1, onStage: (s) => void stages.push({ ...s }) });
    expect(result.stages.map((s) => s.nfe)).toEqual([3, 3, 2]);
    expect(stages.map((s) => [s.stageIndex, s.resolution, s.nfe])).toEqual([
      [0, 8, 3],
      [1, 16, 3],
      [2, 32, 2],
    ]);
    expect(result.nfe).toBe(8);
    expect(result.fullResolution).toBe(32);
    expect(result.stages.map((s) => s.effectiveNfe)).toEqual([(3 * 64) / 1024, (3 * 256) / 1024, 2]);
    expect(result.effectiveNfe).toBeCloseTo(3 * 0.0625 + 3 * 0.25 + 2, 12);
    expect(result.wallMs).toBeCloseTo(result.stages.reduce((s, x) => s + x.wallMs, 0), 9);
    expect(result.stages.every((s) => s.wallMs > 0)).toBe(true);
    expect(result.plan.name).toBe('test');
    result.images.dispose();
  });

  it('counts a guided step as two network evaluations, batched or not, with the null class unconditional', async () => {
    const guided: CascadePlan = {
      stages: [
        { resolution: 8, steps: 3, solver: 'euler', guidance: { scale: 2 } },
        { resolution: 16, steps: 3, solver: 'heun', guidance: { scale: 3, interval: [0.5, 10] } },
      ],
    };
    const classLabels = [1, 4, 7];
    const heunSigmas = karrasSigmas({ steps: 3 });
    const evaluated = [...heunSigmas.slice(0, -1), ...heunSigmas.slice(1, -1)];
    const guidedCalls = evaluated.filter((s) => s >= 0.5 && s <= 10).length;

    const batchedModel = new FakeUnifiedModel([8, 16], 1, 10);
    const batched = await runCascade(batchedModel, guided, { count: 3, seed: 2, classLabels });
    const separateModel = new FakeUnifiedModel([8, 16], 1, 10);
    const separate = await runCascade(separateModel, guided, { count: 3, seed: 2, classLabels, guidanceBatching: 'separate' });

    for (const result of [batched, separate]) expect(result.stages.map((s) => s.nfe)).toEqual([6, 5 + guidedCalls]);
    expect(maxAbsDiff(batched.images, separate.images)).toBeLessThan(1e-5);
    // Batched: one call per step of doubled batch, labels then null labels.
    expect(batchedModel.calls.filter((c) => c.resolution === 8).map((c) => c.classLabels)).toEqual(Array(3).fill([1, 4, 7, 10, 10, 10]));
    // Separate: conditional and unconditional calls of the plain batch.
    expect(separateModel.calls.filter((c) => c.resolution === 8).map((c) => c.classLabels)).toEqual([
      [1, 4, 7],
      [10, 10, 10],
      [1, 4, 7],
      [10, 10, 10],
      [1, 4, 7],
      [10, 10, 10],
    ]);
    // Guidance changes the images: scale 1 is the conditional model alone.
    const plain = await runCascade(new FakeUnifiedModel([8, 16], 1, 10), { stages: guided.stages.map((s) => ({ ...s, guidance: { scale: 1 } })) }, { count: 3, seed: 2, classLabels });
    expect(plain.nfe).toBe(3 + 5);
    expect(maxAbsDiff(plain.images, batched.images)).toBeGreaterThan(1e-3);
    tf.dispose([batched.images, separate.images, plain.images]);
  });

  it('reports every solver step with its stage', async () => {
    const steps: Array<[number, number, number]> = [];
    const result = await runCascade(new FakeUnifiedModel(), plan, {
      count: 1,
      seed: 0,
      onStep: (info: CascadeStepInfo) => void steps.push([info.stageIndex, info.resolution, info.i]),
    });
    expect(steps).toEqual([
      [0, 8, 0],
      [0, 8, 1],
      [0, 8, 2],
      [1, 16, 0],
      [1, 16, 1],
      [2, 32, 0],
      [2, 32, 1],
    ]);
    result.images.dispose();
  });
});

describe('runCascade seeds and memory', () => {
  const plan: CascadePlan = {
    stages: [
      { resolution: 8, steps: 4, solver: 'dpmpp2m' },
      { resolution: 16, steps: 3, solver: 'churn', churn: { sChurn: 10, sTmin: 0.01, sTmax: 100 } },
      { resolution: 32, steps: 2, solver: 'heun', start: { kind: 'upsampled', sigmaStart: 2 } },
    ],
  };

  it('gives the same images in batches of 1, 3 and 8 (to 1e-5)', async () => {
    const model = new ConvFakeModel();
    const seed = 11;
    const whole = await runCascade(model, plan, { count: 8, seed });
    const byOne: tf.Tensor4D[] = [];
    for (let i = 0; i < 8; i++) byOne.push((await runCascade(model, plan, { count: 1, seed, firstIndex: i })).images);
    const byThree: tf.Tensor4D[] = [];
    for (const [firstIndex, count] of [
      [0, 3],
      [3, 3],
      [6, 2],
    ]) {
      byThree.push((await runCascade(model, plan, { count, seed, firstIndex })).images);
    }
    const one = tf.concat(byOne);
    const three = tf.concat(byThree);
    // Batched conv kernels may sum in a different order than single-image ones: allow float32 noise.
    expect(maxAbsDiff(one, whole.images)).toBeLessThan(1e-5);
    expect(maxAbsDiff(three, whole.images)).toBeLessThan(1e-5);

    const other = await runCascade(model, plan, { count: 8, seed: seed + 1 });
    expect(maxAbsDiff(other.images, whole.images)).toBeGreaterThan(0.1);
    tf.dispose([...byOne, ...byThree, one, three, whole.images, other.images]);
    model.dispose();
  });

  it('leaks no tensor across a whole guided, churned cascade, nor when a callback throws', async () => {
    const model = new FakeUnifiedModel([8, 16, 32], 3, 5, 0.5, 0.1, false);
    const guided: CascadePlan = { stages: plan.stages.map((s) => ({ ...s, guidance: { scale: 1.5, interval: [0.1, 20] } })) };
    const before = tf.memory().numTensors;
    const result = await runCascade(model, guided, {
      count: 4,
      seed: 3,
      classLabels: [0, 1, 2, 5],
      onStage: (s) => void s.images.dataSync(),
      onStep: (s) => void s.denoised.dataSync(),
    });
    expect(tf.memory().numTensors).toBe(before + 1);
    result.images.dispose();

    await expect(
      runCascade(model, guided, {
        count: 2,
        seed: 3,
        classLabels: [0, 1],
        onStage: (s) => {
          if (s.stageIndex === 1) throw new Error('preview failed');
        },
      }),
    ).rejects.toThrow('preview failed');
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('runCascade errors', () => {
  const model = new FakeUnifiedModel([8, 16], 1, 10);

  it.each([
    [{ stages: [{ resolution: 8, steps: 2 }, { resolution: 32, steps: 2 }] }, { count: 1, seed: 0 }, "stages.1.resolution: 32 is not one of the model's resolutions (8, 16)"],
    [{ stages: [{ resolution: 16, steps: 2 }, { resolution: 8, steps: 2 }] }, { count: 1, seed: 0 }, "stages.1.resolution: must be > the previous stage's resolution (16)"],
    [{ stages: [{ resolution: 8, steps: 2, guidance: { scale: 2 } }] }, { count: 1, seed: 0 }, 'classLabels: required by the guidance of stages.0'],
    [{ stages: [{ resolution: 8, steps: 2 }] }, { count: 2, seed: 0, classLabels: [1] }, 'classLabels: has 1 labels for count 2'],
    [{ stages: [{ resolution: 8, steps: 2 }] }, { count: 1, seed: 0, classLabels: [11] }, 'classLabels.0: 11 is above the null class 10'],
    [{ stages: [{ resolution: 8, steps: 2 }] }, { count: 0, seed: 0 }, 'Invalid RunCascadeOptions: count: must be >= 1'],
    [{ stages: [{ resolution: 8, steps: 2 }] }, { count: 1, seed: 0.5 }, 'seed: must be an integer'],
  ] as const)('%j with %j fails with a clear message', async (plan, options, message) => {
    const before = tf.memory().numTensors;
    const run = runCascade(model, plan as unknown as CascadePlan, options as never);
    await expect(run).rejects.toThrow(CascadePlanError);
    await expect(run).rejects.toThrow(message);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('runCascade with a damaged model', () => {
  it('stops at the first stage whose output is not finite, naming it, and leaks nothing', async () => {
    const healthy = new FakeUnifiedModel([8, 16], 1, 0, 0.5, 0.1, false);
    // Fine at 8x8, NaN at 16x16: as a checkpoint with damaged upper-level weights would be.
    const damaged = {
      resolutions: healthy.resolutions,
      channels: 1,
      numClasses: 0,
      sigmaData: 0.5,
      flopsPerCall: (r: number) => r * r,
      denoise: (x: tf.Tensor4D, sigma: number | Float32Array, call: Parameters<FakeUnifiedModel['denoise']>[2]) =>
        call.resolution === 16 ? tf.fill(x.shape, Number.NaN) as tf.Tensor4D : healthy.denoise(x, sigma, call),
    };
    const before = tf.memory().numTensors;
    const plan = { stages: [{ resolution: 8, steps: 2 }, { resolution: 16, steps: 2 }] };
    await expect(runCascade(damaged, plan, { count: 3, seed: 0, firstIndex: 5 })).rejects.toThrow(/stage 1 \(16x16\) produced NaN for image 5: the model outputs non-finite values/);
    expect(tf.memory().numTensors).toBe(before);
  });
});
