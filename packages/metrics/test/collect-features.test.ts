import * as tf from '@tensorflow/tfjs';
import { initBackend, Rng } from '@lowdiff/backend';
import { beforeAll, describe, expect, it } from 'vitest';
import { collectFeatures, FeatureStats, type FeatureExtractor } from '../src/index';
import { maxAbsDiff } from './helpers';

beforeAll(() => initBackend({ backend: 'wasm' }));

/** A stand-in extractor: per-channel mean and max as features, a fixed linear head as logits. */
function toyExtractor(withLogits = true): FeatureExtractor {
  const head = tf.keep(tf.tensor2d([1, -1, 0.5, 2, 0, 1, -0.5, 1, 1, 0, 0.3, -1], [6, 2]));
  return {
    name: 'toy-pool',
    featureDim: 6,
    numClasses: withLogits ? 2 : undefined,
    features: (images) =>
      tf.tidy(() => {
        const features = tf.concat([tf.mean(images, [1, 2]), tf.max(images, [1, 2])], 1) as tf.Tensor2D;
        return withLogits ? { features, logits: tf.matMul(features, head) as tf.Tensor2D } : { features };
      }),
  };
}

function* batches(seed: number, count: number, size: number): Generator<tf.Tensor4D> {
  const rng = new Rng(seed);
  for (let i = 0; i < count; i++) yield rng.uniformTensor([size, 8, 8, 3], -1, 1) as tf.Tensor4D;
}

describe('collectFeatures', () => {
  it('accumulates the same statistics as adding the kept features, with logits and progress', async () => {
    const progress: number[] = [];
    const out = await collectFeatures(toyExtractor(), batches(1, 5, 7), {
      keepFeatures: true,
      keepLogits: true,
      disposeInputs: true,
      onProgress: (p) => progress.push(p.images),
    });
    expect(progress).toEqual([7, 14, 21, 28, 35]);
    expect(out.stats).toMatchObject({ extractor: 'toy-pool', featureDim: 6, count: 35 });
    expect(out.features).toMatchObject({ extractor: 'toy-pool', rows: 35, dim: 6 });
    expect(out.logits).toMatchObject({ extractor: 'toy-pool', rows: 35, dim: 2 });
    const direct = new FeatureStats('toy-pool', 6).add(out.features!);
    expect(maxAbsDiff(out.stats.covariance(), direct.covariance())).toBeLessThan(1e-14);
  });

  it('frees every tensor it creates (and the inputs when asked to)', async () => {
    const extractor = toyExtractor();
    await collectFeatures(extractor, batches(2, 1, 4), { disposeInputs: true });
    const before = tf.memory().numTensors;
    await collectFeatures(extractor, batches(3, 6, 4), { disposeInputs: true, keepLogits: true });
    expect(tf.memory().numTensors).toBe(before);
    const kept = [...batches(4, 2, 4)];
    await collectFeatures(extractor, kept);
    expect(kept.every((t) => !t.isDisposed)).toBe(true);
    tf.dispose(kept);
  });

  it('says when the extractor has no logits or returns the wrong shape', async () => {
    await expect(collectFeatures(toyExtractor(false), batches(5, 1, 2), { keepLogits: true, disposeInputs: true })).rejects.toThrow(
      /extractor 'toy-pool' returns no logits/,
    );
    const liar: FeatureExtractor = { ...toyExtractor(), featureDim: 5 };
    await expect(collectFeatures(liar, batches(6, 1, 2), { disposeInputs: true })).rejects.toThrow(/returned features 2x6 for 2 images; expected 2x5/);
  });
});

describe('collectFeatures on damaged images', () => {
  it('refuses non-finite features instead of scoring them', async () => {
    const images = tf.fill([2, 8, 8, 3], Number.NaN) as tf.Tensor4D;
    await expect(collectFeatures(toyExtractor(), [images])).rejects.toThrow(/non-finite features/);
    images.dispose();
  });
});
