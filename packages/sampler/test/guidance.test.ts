import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, Rng } from '@lowdiff/backend';
import { karrasSigmas } from '@lowdiff/schedule';
import { countCalls, sampleHeun, withBatchedGuidance, withGuidance, SamplerError, type Denoiser } from '../src';
import { maxAbsDiff } from './helpers';

beforeAll(() => initBackend({ backend: 'wasm' }));

// Two analytic denoisers with different means stand in for the conditional and unconditional model.
const shrinkTo = (mean: number) => (x: tf.Tensor4D, sigma: number) =>
  tf.tidy(() => tf.add(mean, tf.mul(tf.sub(x, mean), 0.25 / (0.25 + sigma * sigma))) as tf.Tensor4D);
const cond = shrinkTo(0.6);
const uncond = shrinkTo(-0.2);

describe('classifier-free guidance', () => {
  it('is D_u + w (D_c - D_u), computed per element', async () => {
    const x = new Rng(0).normalTensor([3, 2, 2, 1]) as tf.Tensor4D;
    const guided = await withGuidance(cond, uncond, { scale: 3 })(x, 0.7);
    const c = cond(x, 0.7).dataSync();
    const u = uncond(x, 0.7).dataSync();
    const expected = Float32Array.from(c, (ci, i) => u[i] + 3 * (ci - u[i]));
    expect(maxAbsDiff(guided, expected)).toBeLessThan(1e-6);
    tf.dispose([x, guided]);
  });

  it('scale 1 calls only the conditional model', async () => {
    const c = countCalls(cond);
    const u = countCalls(uncond);
    const result = await sampleHeun(withGuidance(c.denoiser, u.denoiser, { scale: 1 }), tf.zeros([2, 2, 2, 1]) as tf.Tensor4D, karrasSigmas({ steps: 5 }));
    expect([c.calls, u.calls, result.nfe]).toEqual([9, 0, 9]);
    result.x.dispose();
  });

  it('counts two network calls per guided call, and guides only inside the interval', async () => {
    const sigmas = karrasSigmas({ steps: 10 });
    const interval: [number, number] = [0.3, 5];
    const c = countCalls(cond);
    const u = countCalls(uncond);
    const x = tf.zeros([4, 2, 2, 1]) as tf.Tensor4D;
    const result = await sampleHeun(withGuidance(c.denoiser, u.denoiser, { scale: 2, interval }), x, sigmas);
    // Heun evaluates at sigmas[i] for every step and at sigmas[i + 1] for every step but the last.
    const evaluated = [...sigmas.slice(0, -1), ...sigmas.slice(1, -1)];
    expect(result.nfe).toBe(19);
    expect(c.calls).toBe(19);
    expect(u.calls).toBe(evaluated.filter((s) => s >= 0.3 && s <= 5).length);
    expect(u.calls).toBeGreaterThan(0);
    expect(u.calls).toBeLessThan(19);
    expect(c.images).toBe(19 * 4);
    expect(c.nfePerImage(4)).toBe(19);
    tf.dispose([x, result.x]);
  });

  it('the batched variant gives the same result in one call of doubled batch', async () => {
    const x = new Rng(1).normalTensor([3, 4, 4, 2]) as tf.Tensor4D;
    const both = countCalls((xs, sigma) =>
      tf.tidy(() => {
        const [a, b] = tf.split(xs, 2, 0) as tf.Tensor4D[];
        return tf.concat([cond(a, sigma), uncond(b, sigma)], 0) as tf.Tensor4D;
      }),
    );
    const plainCond = countCalls(cond);
    const batched = withBatchedGuidance({ cond: plainCond.denoiser, both: both.denoiser }, { scale: 4, interval: [0.5, 10] });
    const separate = withGuidance(cond, uncond, { scale: 4, interval: [0.5, 10] });
    for (const sigma of [20, 3, 0.1]) {
      const a = await batched(x, sigma);
      const b = await separate(x, sigma);
      expect(maxAbsDiff(a, b), `sigma ${sigma}`).toBeLessThan(1e-6);
      tf.dispose([a, b]);
    }
    expect([both.calls, both.images, plainCond.calls]).toEqual([1, 6, 2]);
    // Per image that is still two evaluations for the guided call, one for each plain one.
    expect((both.images + plainCond.images) / 3).toBe(4);
    x.dispose();
  });

  it('does not leak tensors, with synchronous or asynchronous halves, nor when a half fails', async () => {
    const x = tf.ones([2, 2, 2, 1]) as tf.Tensor4D;
    const later = (d: Denoiser): Denoiser => async (xs, s) => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      return d(xs, s);
    };
    // A synchronous half that forgets to tidy: the wrapper disposes its stray intermediates.
    const untidy: Denoiser = (xs, s) => tf.add(tf.mul(xs, 0), cond(xs, s)) as tf.Tensor4D;
    const before = tf.memory().numTensors;
    const outs: tf.Tensor[] = [];
    for (const [c, u] of [
      [cond, uncond],
      [later(cond), later(uncond)],
      [untidy, uncond],
    ] as const) {
      outs.push(await withGuidance(c, u, { scale: 2 })(x, 1));
      outs.push(await withBatchedGuidance({ cond: c, both: c }, { scale: 2 })(x, 1));
      outs.push(await countCalls(c).denoiser(x, 1));
    }
    expect(tf.memory().numTensors).toBe(before + outs.length);
    tf.dispose(outs);
    const failing: Denoiser = async () => {
      throw new Error('network failed');
    };
    await expect(withGuidance(cond, failing, { scale: 2 })(x, 1)).rejects.toThrow('network failed');
    await expect(withBatchedGuidance({ cond, both: failing }, { scale: 2 })(x, 1)).rejects.toThrow('network failed');
    await expect(withBatchedGuidance({ cond, both: () => tf.zeros([1, 2, 2, 1]) as tf.Tensor4D }, { scale: 2 })(x, 1)).rejects.toThrow(
      'withBatchedGuidance: the doubled-batch call returned 1 images for 4',
    );
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });

  it('rejects bad settings with the field named', () => {
    expect(() => withGuidance(cond, uncond, { scale: -1 })).toThrow(SamplerError);
    expect(() => withGuidance(cond, uncond, { scale: -1 })).toThrow(/scale: must be >= 0/);
    expect(() => withGuidance(cond, uncond, { scale: 2, interval: [5, 1] })).toThrow(/interval: must be \[sigmaLo, sigmaHi\] with sigmaLo < sigmaHi/);
  });
});
