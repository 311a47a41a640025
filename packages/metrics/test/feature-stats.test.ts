import { Rng } from '@lowdiff/backend';
import { describe, expect, it } from 'vitest';
import { ExtractorMismatchError, featureMatrix, FeatureStats, MetricsError, mergeStats } from '../src/index';
import { maxAbsDiff } from './helpers';

/** Two-pass mean and (n-1) covariance, the textbook way. */
function naiveMoments(data: ArrayLike<number>, d: number): { mean: Float64Array; cov: Float64Array } {
  const n = data.length / d;
  const mean = new Float64Array(d);
  for (let r = 0; r < n; r++) for (let i = 0; i < d; i++) mean[i] += data[r * d + i] / n;
  const cov = new Float64Array(d * d);
  for (let r = 0; r < n; r++) {
    for (let i = 0; i < d; i++) {
      for (let j = 0; j < d; j++) cov[i * d + j] += ((data[r * d + i] - mean[i]) * (data[r * d + j] - mean[j])) / (n - 1);
    }
  }
  return { mean, cov };
}

describe('FeatureStats', () => {
  const d = 6;
  const rng = new Rng(11);
  const data = rng.normalArray(1300 * d, 0.5, 2); // > 2 chunks of 512 rows

  it('matches two-pass mean and unbiased covariance', () => {
    const stats = new FeatureStats('toy', d).add(data);
    const { mean, cov } = naiveMoments(data, d);
    expect(stats.count).toBe(1300);
    expect(maxAbsDiff(stats.mean(), mean)).toBeLessThan(1e-13);
    expect(maxAbsDiff(stats.covariance(), cov)).toBeLessThan(1e-12);
  });

  it('does not depend on how the rows are batched', () => {
    const once = new FeatureStats('toy', d).add(data);
    const batched = new FeatureStats('toy', d);
    for (let r = 0; r < 1300; r += 7) batched.add(data.subarray(r * d, Math.min(1300, r + 7) * d));
    expect(batched.count).toBe(once.count);
    expect(maxAbsDiff(batched.covariance(), once.covariance())).toBeLessThan(1e-13);
  });

  it('keeps sumOuter exactly symmetric', () => {
    const stats = new FeatureStats('toy', d).add(data);
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) expect(stats.sumOuter[i * d + j]).toBe(stats.sumOuter[j * d + i]);
  });

  it('fromMoments reproduces the given mean and covariance', () => {
    const mean = [1, -2, 0.5];
    const cov = [2, 0.3, 0, 0.3, 1, -0.2, 0, -0.2, 0.5];
    const stats = FeatureStats.fromMoments({ extractor: 'toy', mean, covariance: cov, count: 1000 });
    expect(maxAbsDiff(stats.mean(), mean)).toBeLessThan(1e-15);
    expect(maxAbsDiff(stats.covariance(), cov)).toBeLessThan(1e-12);
  });

  it('merges shards into the statistics of the union', () => {
    const a = new FeatureStats('toy', d).add(data.subarray(0, 400 * d));
    const b = new FeatureStats('toy', d).add(data.subarray(400 * d, 1000 * d));
    const c = new FeatureStats('toy', d).add(data.subarray(1000 * d));
    const union = new FeatureStats('toy', d).add(data);
    const merged = mergeStats(a, b, c);
    expect(merged.count).toBe(1300);
    expect(maxAbsDiff(merged.mean(), union.mean())).toBeLessThan(1e-14);
    expect(maxAbsDiff(merged.covariance(), union.covariance())).toBeLessThan(1e-12);
    expect(a.count).toBe(400); // inputs untouched
  });

  it('refuses other extractors, dims, ragged batches and non-finite values', () => {
    const stats = new FeatureStats('toy', d);
    expect(() => stats.add(featureMatrix('other', new Float32Array(d), d))).toThrow(ExtractorMismatchError);
    expect(() => mergeStats(stats, new FeatureStats('other', d))).toThrow(/cannot merge statistics of 'other'/);
    expect(() => mergeStats(stats, new FeatureStats('toy', d + 1))).toThrow(ExtractorMismatchError);
    expect(() => stats.add(new Float32Array(d + 1))).toThrow(/not a whole number of rows of 6/);
    const bad = new Float32Array(d);
    bad[3] = Number.NaN;
    expect(() => stats.add(bad)).toThrow(/index 3 is NaN/);
    expect(stats.count).toBe(0);
    expect(() => stats.mean()).toThrow(MetricsError);
    stats.add(new Float32Array(d));
    expect(() => stats.covariance()).toThrow(/at least 2/);
  });
});
