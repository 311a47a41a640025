import { createHash } from 'node:crypto';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@lowdiff/backend';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  conditionalAccuracy,
  encodeNpy,
  featureMatrix,
  FeatureStats,
  fid,
  inceptionScore,
  kid,
  lowResConsistency,
  mmdUnbiased,
  precisionRecall,
  readFeaturesNpy,
  readNpy,
  softmaxRows,
  type FeatureMatrix,
} from '../src/index';
import { TS_WRITTEN } from './fixtures/write-npy-fixture';
import { expectRelClose, FIXTURES, loadReference, maxAbsDiff } from './helpers';

// Reference values come from fixtures/make_fixtures.py (numpy + scipy, float64).
const ref = loadReference();
const EXTRACTOR = 'fixture-16d';
let real: FeatureMatrix;
let generated: FeatureMatrix;
let logits: FeatureMatrix;

beforeAll(async () => {
  await initBackend({ backend: 'wasm' });
  real = await readFeaturesNpy(join(FIXTURES, 'real_features.npy'), EXTRACTOR);
  generated = await readFeaturesNpy(join(FIXTURES, 'generated_features.npy'), EXTRACTOR);
  logits = await readFeaturesNpy(join(FIXTURES, 'logits.npy'), 'fixture-classifier');
});

const statsOf = (m: FeatureMatrix) => new FeatureStats(m.extractor, m.dim).add(m);

describe('against numpy/scipy references', () => {
  it('reads the numpy-written fixtures with their dtypes and shapes', () => {
    expect([real.rows, real.dim, generated.rows, logits.rows, logits.dim]).toEqual([200, 16, 180, 200, 10]);
    expect(real.data).toBeInstanceOf(Float32Array);
    expect(logits.data).toBeInstanceOf(Float64Array);
  });

  it('mean and covariance match numpy.mean / numpy.cov', () => {
    const stats = statsOf(real);
    expect(maxAbsDiff(stats.mean(), ref.real_mean)).toBeLessThan(1e-13);
    expect(maxAbsDiff(stats.covariance(), ref.real_cov)).toBeLessThan(1e-12);
  });

  it('FID matches the scipy.linalg.sqrtm formula', () => {
    const score = fid({ real: statsOf(real), generated: statsOf(generated) });
    expectRelClose(score.value, ref.fid, 1e-12, 'fid');
    expect(score).toMatchObject({ name: 'fid', extractor: EXTRACTOR, count: 180, referenceCount: 200, warnings: [] });
    expect(fid({ real: statsOf(real), generated: statsOf(real) }).value).toBeLessThan(1e-10);
  });

  it('unbiased MMD² with the cubic kernel matches numpy, in float64 and float32 products', () => {
    expectRelClose(mmdUnbiased(generated, real, 'float64'), ref.mmd_unbiased, 1e-12, 'float64');
    expectRelClose(mmdUnbiased(generated, real, 'float32'), ref.mmd_unbiased, 1e-6, 'float32');
  });

  it('KID over subsets that cover both whole sets equals the whole-set MMD², with zero spread', () => {
    const real180 = featureMatrix(EXTRACTOR, real.data.slice(0, 180 * 16), 16);
    const score = kid({ real: real180, generated }, { subsets: 4, subsetSize: 180, precision: 'float64', seed: 3 });
    expectRelClose(score.value, ref.mmd_unbiased_real_first180, 1e-12, 'kid');
    expect(score.std).toBeLessThan(1e-12);
    expect(score).toMatchObject({ name: 'kid', extractor: EXTRACTOR, count: 180, referenceCount: 180, warnings: [] });
  });

  it('IS matches scipy softmax + entropy for 10, 4 and 1 splits, from logits and from probabilities', () => {
    for (const [splits, [mean, std]] of [[10, ref.is_splits10], [4, ref.is_splits4], [1, ref.is_splits1]] as const) {
      const fromLogits = inceptionScore(logits, { splits });
      expectRelClose(fromLogits.value, mean, 1e-12, `IS mean, ${splits} splits`);
      expect(Math.abs(fromLogits.std! - std)).toBeLessThan(1e-12);
      const probs = featureMatrix(logits.extractor, softmaxRows(logits), logits.dim);
      expectRelClose(inceptionScore(probs, { splits, input: 'probabilities' }).value, mean, 1e-12, 'IS from probabilities');
    }
  });

  it('precision and recall match scipy cdist k-NN balls for k = 3 and 5, in both product precisions', () => {
    for (const [k, [p, r]] of [[3, ref.precision_recall_k3], [5, ref.precision_recall_k5]] as const) {
      for (const precision of ['float64', 'float32'] as const) {
        const result = precisionRecall({ real, generated }, { k, precision });
        expect([result.precision.value, result.recall.value], `k=${k} ${precision}`).toEqual([p, r]);
      }
    }
  });

  it('conditional accuracy matches numpy argmax', () => {
    const score = conditionalAccuracy(logits, ref.requested);
    expect(score.value).toBe(ref.conditional_accuracy);
    expect(score.extractor).toBe('fixture-classifier');
  });

  it('low-resolution PSNR matches numpy box averaging', async () => {
    const final = await readNpy(join(FIXTURES, 'final_images.npy'));
    const first = await readNpy(join(FIXTURES, 'first_stage.npy'));
    const toTensor = (a: typeof final) => tf.tensor4d(Float32Array.from(a.data), a.shape as [number, number, number, number]);
    const [finalT, firstT] = [toTensor(final), toTensor(first)];
    const score = lowResConsistency(finalT, firstT);
    tf.dispose([finalT, firstT]);
    score.perImage.forEach((v, i) => expectRelClose(v, ref.low_res_psnr.per_image[i], 1e-4, `image ${i}`));
    expectRelClose(score.value, ref.low_res_psnr.mean, 1e-4, 'mean PSNR');
    expectRelClose(score.std!, ref.low_res_psnr.std, 1e-3, 'std PSNR');
  });

  it('our .npy encoder still writes exactly the bytes numpy.load accepted', async () => {
    for (const [name, { shape, data }] of Object.entries(TS_WRITTEN)) {
      const check = ref.ts_written_npy[name];
      expect(check?.numpy_load_ok, name).toBe(true);
      expect(createHash('sha256').update(encodeNpy(data, shape)).digest('hex'), name).toBe(check.sha256);
      const back = await readNpy(join(FIXTURES, name));
      expect(back.shape).toEqual([...shape]);
      expect(Array.from(back.data)).toEqual(Array.from(data));
    }
  });
});
