import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, Rng } from '@lowdiff/backend';
import { karrasSigmas, sigmaToFlowTime } from '@lowdiff/schedule';
import {
  denoiserFromVelocity,
  flowStartFromEdm,
  perSampleNoise,
  runCascade,
  runSolver,
  sampleFlowEuler,
  type CascadePlan,
  type Denoiser,
  type SolverResult,
  type VelocityFn,
} from '../src';
import { asyncDenoiser, asyncModel, ConvFakeModel, FakeUnifiedModel, maxAbsDiff, MIXTURE, mixtureDenoiser } from './helpers';

// A denoiser that answers with a promise (an ONNX Runtime session) must give exactly the images of
// the same denoiser called synchronously, and leave no tensor behind.

beforeAll(() => initBackend({ backend: 'wasm' }));

const D = mixtureDenoiser(MIXTURE);
const start = () => tf.mul(new Rng(5).normalTensor([64, 1, 1, 2]), 80) as tf.Tensor4D;

describe('solvers over an asynchronous denoiser', () => {
  type Solve = (d: Denoiser, x: tf.Tensor4D) => Promise<SolverResult>;
  const solvers: [string, Solve][] = [
    ...(['euler', 'heun', 'dpmpp2m'] as const).map((name): [string, Solve] => [name, (d, x) => runSolver(name, d, x, karrasSigmas({ steps: 7 }))]),
    [
      'churn',
      (d, x) => runSolver('churn', d, x, karrasSigmas({ steps: 7 }), { noise: perSampleNoise(Array.from({ length: 64 }, (_, i) => Rng.derive(1, i))) }),
    ],
    [
      'flow-euler',
      async (d, x) => {
        const sigmas = karrasSigmas({ steps: 7 });
        const flow = flowStartFromEdm(x, sigmas[0]);
        try {
          return await sampleFlowEuler(d, flow.x, sigmas.map(sigmaToFlowTime));
        } finally {
          flow.x.dispose();
        }
      },
    ],
  ];

  it.each(solvers)('%s gives exactly the synchronous images and leaks nothing', async (_name, solve) => {
    const x = start();
    const sync = await solve(D, x);
    const before = tf.memory().numTensors;
    const result = await solve(asyncDenoiser(D), x);
    expect(tf.memory().numTensors).toBe(before + 1);
    expect(result.nfe).toBe(sync.nfe);
    expect(maxAbsDiff(result.x, sync.x)).toBe(0);
    expect(x.isDisposed).toBe(false);
    tf.dispose([x, sync.x, result.x]);
  });

  it('a velocity network answering with a promise: flow Euler and denoiserFromVelocity match the synchronous run', async () => {
    // The mixture's exact velocity v = (x_t - E[x0 | x_t]) / t.
    const velocity: VelocityFn = (xt, t) =>
      tf.tidy(() => tf.div(tf.sub(xt, D(tf.mul(xt, 1 / (1 - t)) as tf.Tensor4D, t / (1 - t)) as tf.Tensor4D), t) as tf.Tensor4D);
    const x = start();
    const sigmas = karrasSigmas({ steps: 7 });
    const flow = flowStartFromEdm(x, sigmas[0]);
    const run = (v: VelocityFn) =>
      Promise.all([sampleFlowEuler({ velocity: v }, flow.x, sigmas.map(sigmaToFlowTime)), runSolver('heun', denoiserFromVelocity(v), x, sigmas)]);
    const sync = await run(velocity);
    const before = tf.memory().numTensors;
    const result = await run(asyncDenoiser(velocity));
    expect(tf.memory().numTensors).toBe(before + 2);
    result.forEach((r, i) => expect(maxAbsDiff(r.x, sync[i].x)).toBe(0));
    tf.dispose([x, flow.x, ...sync.map((r) => r.x), ...result.map((r) => r.x)]);
  });

  it.each(solvers.slice(0, 4))('%s leaks nothing when the asynchronous denoiser rejects mid-run', async (_name, solve) => {
    const x = start();
    const before = tf.memory().numTensors;
    let calls = 0;
    const failing = asyncDenoiser((xs, sigma) => {
      if (++calls === 4) throw new Error('session failed');
      return D(xs, sigma);
    });
    await expect(solve(failing, x)).rejects.toThrow('session failed');
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });
});

describe('runCascade over an asynchronous model', () => {
  const plan: CascadePlan = {
    stages: [
      { resolution: 8, steps: 4, solver: 'dpmpp2m', guidance: { scale: 2 } },
      { resolution: 16, steps: 3, solver: 'churn', churn: { sChurn: 10, sTmin: 0.01, sTmax: 100 }, guidance: { scale: 1.5, interval: [0.1, 20] } },
      { resolution: 32, steps: 2, solver: 'heun', start: { kind: 'upsampled', sigmaStart: 2 } },
    ],
  };
  const options = { count: 3, seed: 9, classLabels: [0, 4, 5] };

  it.each(['batched', 'separate'] as const)('gives exactly the synchronous images with %s guidance and leaks nothing', async (guidanceBatching) => {
    const model = new FakeUnifiedModel([8, 16, 32], 2, 5, 0.5, 0.1, false);
    const sync = await runCascade(model, plan, { ...options, guidanceBatching });
    const before = tf.memory().numTensors;
    const steps: number[] = [];
    const result = await runCascade(asyncModel(model), plan, { ...options, guidanceBatching, onStep: (s) => void steps.push(s.denoised.dataSync()[0]) });
    expect(tf.memory().numTensors).toBe(before + 1);
    expect(steps.length).toBe(4 + 3 + 2);
    expect(result.stages.map((s) => s.nfe)).toEqual(sync.stages.map((s) => s.nfe));
    expect(maxAbsDiff(result.images, sync.images)).toBe(0);
    tf.dispose([sync.images, result.images]);
  });

  it('matches the synchronous run with a conv model, and leaks nothing when the model rejects', async () => {
    const model = new ConvFakeModel();
    const unguided: CascadePlan = { stages: plan.stages.map(({ guidance: _g, ...s }) => s) };
    const sync = await runCascade(model, unguided, { count: 2, seed: 4 });
    const before = tf.memory().numTensors;
    const result = await runCascade(asyncModel(model), unguided, { count: 2, seed: 4 });
    expect(tf.memory().numTensors).toBe(before + 1);
    expect(maxAbsDiff(result.images, sync.images)).toBe(0);
    tf.dispose([sync.images, result.images]);

    const beforeFailure = tf.memory().numTensors;
    let calls = 0;
    const failing = asyncModel({
      ...model,
      resolutions: model.resolutions,
      channels: model.channels,
      flopsPerCall: (r) => model.flopsPerCall(r),
      denoise: (x, sigma, call) => {
        if (++calls === 6) throw new Error('session failed');
        return model.denoise(x, sigma, call);
      },
    });
    await expect(runCascade(failing, unguided, { count: 2, seed: 4 })).rejects.toThrow('session failed');
    expect(tf.memory().numTensors).toBe(beforeFailure);
    model.dispose();
  });
});
