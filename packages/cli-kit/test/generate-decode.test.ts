import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@lowdiff/backend';
import { EdmDenoiser } from '@lowdiff/model';
import { cascadePlan } from '@lowdiff/sampler';
import { beforeAll, describe, expect, it } from 'vitest';
import { generate } from '../src';

beforeAll(() => initBackend({ backend: 'wasm' }));

describe('generate with decode', () => {
  it('decodes the final images (per batch), the first stage and the strip, and matches decoding afterwards', async () => {
    const model = new EdmDenoiser({ kind: 'dit', channels: 2, resolution: 4, stageResolutions: [2, 4], numClasses: 0, patchSize: 1, hiddenSize: 16, depth: 1, heads: 2 }, 1);
    const plan = cascadePlan([2, 4], [2, 2], { start: { kind: 'upsampled', sigmaStart: 1 } });
    // A stand-in decoder: 2x nearest upscaling to one channel, like a VAE with factor 2.
    const decode = (z: tf.Tensor4D) => tf.tidy(() => tf.image.resizeNearestNeighbor(tf.mean(z, 3, true) as tf.Tensor4D, [z.shape[1] * 2, z.shape[2] * 2]));
    const options = { count: 5, seed: 4, batchSize: 2, stripCount: 3 };
    const raw = await generate(model, plan, options);
    const before = tf.memory().numTensors;
    const got = await generate(model, plan, { ...options, decode });
    expect(tf.memory().numTensors).toBe(before);
    expect([got.resolution, got.channels, got.firstResolution]).toEqual([8, 1, 4]);
    expect(got.strip.map((s) => s.resolution)).toEqual([4, 8]);
    expect(got.images).toHaveLength(5 * 64);
    const expected = (values: Float32Array, n: number, r: number) => tf.tidy(() => decode(tf.tensor4d(values, [n, r, r, 2])).dataSync());
    const close = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).forEach((v, i) => expect(v).toBeCloseTo(b[i], 5));
    close(got.images, expected(raw.images, 5, 4));
    close(got.firstStage, expected(raw.firstStage, 5, 2));
    close(got.strip[0].images, expected(raw.strip[0].images, 3, 2));
    expect([got.nfe, got.effectiveNfe]).toEqual([raw.nfe, raw.effectiveNfe]);
    model.dispose();
  });
});
