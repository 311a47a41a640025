import * as tf from '@tensorflow/tfjs';
import { initBackend, Rng } from '@lowdiff/backend';
import { beforeAll, describe, expect, it } from 'vitest';
import { ExtractorMismatchError, kid, MetricsParamError, mmdUnbiased } from '../src/index';
import { expectRelClose, randomFeatures } from './helpers';

beforeAll(() => initBackend({ backend: 'wasm' }));

describe('kid', () => {
  const rng = new Rng(21);
  const real = randomFeatures('toy', rng, 300, 32);
  const same = randomFeatures('toy', rng, 300, 32);
  const shifted = randomFeatures('toy', rng, 300, 32, 0.5);

  it('is near 0 for two samples of one distribution and clearly positive for a shifted one', () => {
    const near = kid({ real, generated: same }, { subsets: 20, subsetSize: 100 });
    const far = kid({ real, generated: shifted }, { subsets: 20, subsetSize: 100 });
    expect(Math.abs(near.value)).toBeLessThan(3 * near.std! + 1e-3);
    expect(far.value).toBeGreaterThan(10 * Math.abs(near.value));
    expect(far.value - 5 * far.std!).toBeGreaterThan(0);
    expect(far).toMatchObject({ name: 'kid', extractor: 'toy', count: 300, referenceCount: 300, warnings: [] });
  });

  it('is deterministic for a seed and varies with it', () => {
    const a = kid({ real, generated: shifted }, { subsets: 5, subsetSize: 50, seed: 7 });
    const b = kid({ real, generated: shifted }, { subsets: 5, subsetSize: 50, seed: 7 });
    const c = kid({ real, generated: shifted }, { subsets: 5, subsetSize: 50, seed: 8 });
    expect(b.value).toBe(a.value);
    expect(b.std).toBe(a.std);
    expect(c.value).not.toBe(a.value);
  });

  it('gives the same value with float32 (tf.matMul) and float64 (JS) products', () => {
    const f32 = kid({ real, generated: shifted }, { subsets: 3, subsetSize: 120, precision: 'float32' });
    const f64 = kid({ real, generated: shifted }, { subsets: 3, subsetSize: 120, precision: 'float64' });
    expectRelClose(f32.value, f64.value, 1e-5);
  });

  it('averages whole-set MMD² when subsets cover both sets, and unbiasedness holds on average', () => {
    const whole = mmdUnbiased(shifted, real, 'float64');
    expectRelClose(kid({ real, generated: shifted }, { subsets: 2, subsetSize: 300, precision: 'float64' }).value, whole, 1e-12);
    // Subset MMD² is unbiased too, so its mean over many subsets approaches the whole-set value.
    const sub = kid({ real, generated: shifted }, { subsets: 200, subsetSize: 60, precision: 'float64' });
    expect(Math.abs(sub.value - whole)).toBeLessThan((4 * sub.std!) / Math.sqrt(200));
  });

  it('caps subsets at the smaller set and says so', () => {
    const score = kid({ real, generated: same }, { subsets: 1, subsetSize: 1000 });
    expect(score.warnings).toEqual(['subsets hold 300 samples (the smaller set\'s size), fewer than subsetSize 1000']);
  });

  it('does not leak tensors', () => {
    kid({ real, generated: shifted }, { subsets: 1, subsetSize: 50 });
    const before = tf.memory().numTensors;
    kid({ real, generated: shifted }, { subsets: 3, subsetSize: 50 });
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects bad options and mixed extractors', () => {
    expect(() => kid({ real, generated: same }, { subsetSize: 1 })).toThrow(MetricsParamError);
    expect(() => kid({ real, generated: same }, { subsetSize: 1 })).toThrow(/Invalid KidOptions: subsetSize: must be >= 2/);
    expect(() => kid({ real, generated: same }, { subsets: 0.5 })).toThrow(/subsets: must be an integer/);
    expect(() => kid({ real, generated: same }, { precision: 'float16' as 'float32' })).toThrow(/precision/);
    const other = randomFeatures('inception-v3-pool3', rng, 10, 32);
    expect(() => kid({ real, generated: other })).toThrow(ExtractorMismatchError);
  });
});
