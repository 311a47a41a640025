import * as tf from '@tensorflow/tfjs';
import { beforeAll, afterAll, describe, expect, it } from 'vitest';
import { initBackend, Rng } from '@lowdiff/backend';
import { flowTimes, karrasSigmas, sigmaToFlowTime } from '@lowdiff/schedule';
import {
  denoiserFromVelocity,
  flowStartFromEdm,
  perSampleNoise,
  sampleChurn,
  sampleDpmpp2m,
  sampleEuler,
  sampleFlowEuler,
  sampleHeun,
  SamplerError,
  type Denoiser,
  type SolverResult,
  type StepInfo,
} from '../src';
import { empiricalMoments, maxAbsDiff, meanAbsDiff, MIXTURE, mixtureDenoiser, mixtureMoments, nearestComponentShares } from './helpers';

// Ground truth: a 2-D Gaussian mixture has an exact EDM denoiser, so a solver's output can be
// checked against the mixture's moments, and - because the probability-flow ODE maps each noise
// vector to one sample - per sample against a very fine Heun solution from the same noise.
const N = 4000;
const D = mixtureDenoiser(MIXTURE);
const truth = mixtureMoments(MIXTURE);
let start: tf.Tensor4D;
let reference: tf.Tensor4D;

beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
  start = tf.mul(new Rng(1).normalTensor([N, 1, 1, 2]), 80) as tf.Tensor4D;
  reference = (await sampleHeun(D, start, karrasSigmas({ steps: 256 }))).x;
});

afterAll(() => {
  start.dispose();
  reference.dispose();
});

function expectMixtureMoments(samples: tf.Tensor): void {
  const values = samples.dataSync() as Float32Array;
  const got = empiricalMoments(values, 2);
  // 4000 samples: the standard error of each mean is ~0.008, of each covariance entry ~0.006.
  got.mean.forEach((m, j) => expect(Math.abs(m - truth.mean[j]), `mean[${j}] ${m} vs ${truth.mean[j]}`).toBeLessThan(0.03));
  got.cov.forEach((row, a) =>
    row.forEach((c, b) => expect(Math.abs(c - truth.cov[a][b]), `cov[${a}][${b}] ${c} vs ${truth.cov[a][b]}`).toBeLessThan(0.03)),
  );
  nearestComponentShares(values, MIXTURE).forEach((share, k) => expect(Math.abs(share - MIXTURE.weights[k]), `weight ${k}`).toBeLessThan(0.03));
}

async function errorAt(solver: (d: Denoiser, x: tf.Tensor4D, s: number[]) => Promise<SolverResult>, steps: number): Promise<{ err: number; nfe: number }> {
  const { x, nfe } = await solver(D, start, karrasSigmas({ steps }));
  const err = meanAbsDiff(x, reference);
  x.dispose();
  return { err, nfe };
}

describe('solvers on a Gaussian mixture with an exact denoiser', () => {
  it('the fine reference itself reproduces the mixture', () => expectMixtureMoments(reference));

  it.each([
    ['euler', 64, 64, sampleEuler],
    ['heun', 32, 63, sampleHeun],
    ['dpmpp2m', 32, 32, sampleDpmpp2m],
  ] as const)('%s with %d steps (NFE %d) reproduces mean, covariance and weights', async (_name, steps, nfe, solver) => {
    const result = await solver(D, start, karrasSigmas({ steps }));
    expect(result.nfe).toBe(nfe);
    expectMixtureMoments(result.x);
    result.x.dispose();
  });

  it('churn (EDM Algorithm 2) reproduces the mixture, NFE 2N - 1', async () => {
    const noise = perSampleNoise(Array.from({ length: N }, (_, i) => Rng.derive(9, i)));
    const result = await sampleChurn(D, start, karrasSigmas({ steps: 32 }), { noise, sChurn: 40, sTmin: 0.05, sTmax: 50 });
    expect(result.nfe).toBe(63);
    expectMixtureMoments(result.x);
    // It is stochastic: the samples differ from the ODE's.
    expect(meanAbsDiff(result.x, reference)).toBeGreaterThan(0.05);
    result.x.dispose();
  });

  it('churn with sChurn = 0 is exactly Heun and needs no noise', async () => {
    const a = await sampleChurn(D, start, karrasSigmas({ steps: 8 }), { sChurn: 0 });
    const b = await sampleHeun(D, start, karrasSigmas({ steps: 8 }));
    expect(a.nfe).toBe(b.nfe);
    expect(maxAbsDiff(a.x, b.x)).toBe(0);
    tf.dispose([a.x, b.x]);
  });

  it('error against the fine solution falls as steps grow, for every solver', async () => {
    for (const solver of [sampleEuler, sampleHeun, sampleDpmpp2m]) {
      const errors: number[] = [];
      for (const steps of [8, 16, 32, 64]) errors.push((await errorAt(solver, steps)).err);
      for (let i = 1; i < errors.length; i++) expect(errors[i], `${solver.name} ${errors}`).toBeLessThan(errors[i - 1]);
    }
  });

  it('Heun beats Euler at equal NFE, and converges at a higher order', async () => {
    const heun = await errorAt(sampleHeun, 32); // NFE 63
    const euler = await errorAt(sampleEuler, 63); // NFE 63
    expect(heun.nfe).toBe(euler.nfe);
    expect(heun.err).toBeLessThan(euler.err / 2);
    // Doubling the steps divides a first-order method's error by ~2 and a second-order one's by ~4.
    const eulerRatio = (await errorAt(sampleEuler, 32)).err / (await errorAt(sampleEuler, 64)).err;
    const heunRatio = (await errorAt(sampleHeun, 32)).err / (await errorAt(sampleHeun, 64)).err;
    expect(eulerRatio).toBeGreaterThan(1.5);
    expect(eulerRatio).toBeLessThan(3);
    expect(heunRatio).toBeGreaterThan(3);
  });

  it('DPM-Solver++(2M) beats Euler at equal NFE', async () => {
    for (const steps of [32, 64]) expect((await errorAt(sampleDpmpp2m, steps)).err).toBeLessThan((await errorAt(sampleEuler, steps)).err / 2);
  });
});

describe('solvers on a single Gaussian, where the ODE has a closed form', () => {
  // For x0 ~ N(mu, s^2) the probability-flow ODE maps x at sigma_0 to mu + s / sqrt(s^2 + sigma_0^2) (x - mu)
  // at sigma = 0: an exact per-sample reference that does not come from a solver. Doubling the steps
  // must divide the error by ~2^order.
  it.each([
    ['euler', 1, sampleEuler],
    ['heun', 2, sampleHeun],
    ['dpmpp2m', 2, sampleDpmpp2m],
  ] as const)('%s converges to the exact map at order %d', async (_name, order, solver) => {
    const [mu, s] = [0.3, 0.2];
    const gaussian: Denoiser = (x, sigma) => tf.tidy(() => tf.add(mu, tf.mul(tf.sub(x, mu), (s * s) / (s * s + sigma * sigma))) as tf.Tensor4D);
    const x = tf.slice(start, [0, 0, 0, 0], [500, 1, 1, 2]) as tf.Tensor4D;
    const exact = tf.tidy(() => tf.add(mu, tf.mul(tf.sub(x, mu), s / Math.hypot(s, 80))));
    const errors: number[] = [];
    for (const steps of [64, 128, 256]) {
      const result = await solver(gaussian, x, karrasSigmas({ steps }));
      errors.push(meanAbsDiff(result.x, exact));
      result.x.dispose();
    }
    for (let i = 1; i < errors.length; i++) {
      const ratio = errors[i - 1] / errors[i];
      expect(ratio, `errors ${errors}`).toBeGreaterThan(0.8 * 2 ** order);
      expect(ratio, `errors ${errors}`).toBeLessThan(1.25 * 2 ** order);
    }
    expect(errors[2]).toBeLessThan(order === 1 ? 3e-3 : 1e-4);
    tf.dispose([x, exact]);
  });
});

describe('flow-time Euler', () => {
  it('with an EDM denoiser gives the same images as EDM Euler over the matching sigmas', async () => {
    const sigmas = karrasSigmas({ steps: 12 });
    const edm = await sampleEuler(D, start, sigmas);
    const flowStart = flowStartFromEdm(start, sigmas[0]);
    expect(flowStart.t).toBeCloseTo(sigmaToFlowTime(80), 12);
    const flow = await sampleFlowEuler(D, flowStart.x, sigmas.map(sigmaToFlowTime));
    expect(flow.nfe).toBe(12);
    expect(maxAbsDiff(flow.x, edm.x)).toBeLessThan(1e-4);
    tf.dispose([edm.x, flowStart.x, flow.x]);
  });

  it('with a velocity network samples the mixture from t = 1, and the velocity converts back to D', async () => {
    // The exact velocity of the mixture: v = (x_t - E[x0 | x_t]) / t.
    const velocity = (x: tf.Tensor4D, t: number) =>
      tf.tidy(() => {
        const sigma = t / (1 - t);
        return tf.div(tf.sub(x, D(tf.mul(x, 1 + sigma) as tf.Tensor4D, sigma) as tf.Tensor4D), t) as tf.Tensor4D;
      });
    const eps = new Rng(3).normalTensor([N, 1, 1, 2]) as tf.Tensor4D;
    const times = flowTimes({ steps: 64, shift: 3 });
    // v at t = 1 is the limit eps - E[x0] = x - mean; the closed form above needs t < 1 there.
    const guarded = (x: tf.Tensor4D, t: number) => (t === 1 ? (tf.sub(x, tf.tensor1d(truth.mean)) as tf.Tensor4D) : velocity(x, t));
    const result = await sampleFlowEuler({ velocity: guarded }, eps, times);
    expect(result.nfe).toBe(64);
    expectMixtureMoments(result.x);

    const back = denoiserFromVelocity(velocity);
    const x = tf.mul(eps, 2) as tf.Tensor4D;
    const viaVelocity = await back(x, 2);
    const direct = D(x, 2) as tf.Tensor4D;
    expect(maxAbsDiff(viaVelocity, direct)).toBeLessThan(1e-4);
    tf.dispose([eps, result.x, x, viaVelocity, direct]);
  });

  it('refuses t = 1 for an EDM denoiser with a message saying what to do', async () => {
    await expect(sampleFlowEuler(D, start, flowTimes({ steps: 4 }))).rejects.toThrow(/times\[0\] = 1 is sigma = Infinity.*velocity/);
  });
});

describe('solver contract', () => {
  const small = () => tf.mul(new Rng(4).normalTensor([5, 2, 2, 1]), 80) as tf.Tensor4D;

  it.each([
    ['euler', sampleEuler, 6],
    ['heun', sampleHeun, 11],
    ['dpmpp2m', sampleDpmpp2m, 6],
  ] as const)('%s leaves x alone, leaks nothing, calls back once per step with valid tensors', async (_n, solver, nfe) => {
    const x = small();
    const sigmas = karrasSigmas({ steps: 6 });
    const before = tf.memory().numTensors;
    const seen: StepInfo[] = [];
    const result = await solver(mixtureDenoiser(MIXTURE), x, sigmas, {
      callback: (info) => {
        expect(info.denoised.isDisposed).toBe(false);
        expect(info.x.shape).toEqual([5, 2, 2, 1]);
        info.denoised.dataSync();
        seen.push(info);
      },
    });
    expect(result.nfe).toBe(nfe);
    expect(tf.memory().numTensors).toBe(before + 1);
    expect(x.isDisposed).toBe(false);
    expect(seen.map((s) => [s.i, s.sigma, s.sigmaNext])).toEqual(sigmas.slice(0, -1).map((s, i) => [i, s, sigmas[i + 1]]));
    expect(seen.every((s) => s.denoised.isDisposed)).toBe(true);
    tf.dispose([x, result.x]);
  });

  it.each([
    ['euler', sampleEuler],
    ['heun', sampleHeun],
    ['dpmpp2m', sampleDpmpp2m],
    ['churn', (d: Denoiser, x: tf.Tensor4D, s: number[]) => sampleChurn(d, x, s, { noise: (shape) => tf.zeros(shape) })],
  ] as const)('%s leaks nothing when the denoiser fails mid-run', async (_n, solver) => {
    const x = small();
    const before = tf.memory().numTensors;
    let calls = 0;
    const failing: Denoiser = (xs, sigma) => {
      if (++calls === 4) throw new Error('network failed');
      return mixtureDenoiser(MIXTURE)(xs, sigma);
    };
    await expect(solver(failing, x, karrasSigmas({ steps: 6 }))).rejects.toThrow('network failed');
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });

  it('a Heun list that does not end in 0 corrects every step: 2N calls', async () => {
    const x = small();
    const result = await sampleHeun(mixtureDenoiser(MIXTURE), x, [80, 10, 1]);
    expect(result.nfe).toBe(4);
    tf.dispose([x, result.x]);
  });

  it('the churn sampler leaks nothing and draws its noise per step', async () => {
    const x = small();
    const shapes: number[][] = [];
    const rng = new Rng(0);
    const before = tf.memory().numTensors;
    const result = await sampleChurn(mixtureDenoiser(MIXTURE), x, karrasSigmas({ steps: 10 }), {
      sTmin: 0.05,
      sTmax: 50,
      noise: (shape) => (shapes.push(shape), rng.normalTensor(shape)),
    });
    expect(tf.memory().numTensors).toBe(before + 1);
    // sigmas inside [0.05, 50] churn: count them.
    expect(shapes.length).toBe(karrasSigmas({ steps: 10 }).filter((s) => s >= 0.05 && s <= 50).length);
    tf.dispose([x, result.x]);
  });

  it('rejects bad sigma lists, bad shapes and missing noise with clear messages', async () => {
    const x = small();
    const bad = tf.zeros([2, 2]) as unknown as tf.Tensor4D;
    await expect(sampleEuler(D, x, [80])).rejects.toThrow(SamplerError);
    await expect(sampleEuler(D, x, [80])).rejects.toThrow(/at least 2 noise levels/);
    await expect(sampleHeun(D, x, [1, 2, 0])).rejects.toThrow(/strictly decreasing, but sigmas\[1\] = 2 >= sigmas\[0\] = 1/);
    await expect(sampleDpmpp2m(D, x, [1, NaN, 0])).rejects.toThrow(/sigmas\[1\] = NaN is not a finite number/);
    await expect(sampleEuler(D, bad, [1, 0])).rejects.toThrow(/4-D NHWC tensor, got rank 2/);
    await expect(sampleEuler(() => tf.zeros([1, 1, 1, 1]) as tf.Tensor4D, x, [1, 0])).rejects.toThrow(/returned shape \[1,1,1,1\] for input \[5,2,2,1\]/);
    await expect(sampleChurn(D, x, karrasSigmas({ steps: 4 }))).rejects.toThrow(/noise source is required/);
    await expect(sampleChurn(D, x, karrasSigmas({ steps: 4 }), { sTmin: 5, sTmax: 1 })).rejects.toThrow(/sTmin: must be <= sTmax/);
    tf.dispose([x, bad]);
  });
});
