import { describe, expect, it } from 'vitest';
import {
  conditionAugSigma,
  logSigmaPdf,
  noiseParamsFor,
  trainingSigmas,
  sampleTrainingSigma,
  standardNormalCdf,
  standardNormalQuantile,
  trainingSigmaCdf,
  trainingSigmaFromUniform,
} from '../src/index';
import { expectRelClose } from './helpers';

describe('standard normal helpers', () => {
  it('hits known quantiles', () => {
    // Reference values: Phi^-1(0.975) = 1.959963984540054, Phi^-1(0.001) = -3.090232306167813,
    // Phi^-1(1e-10) = -6.361340902404056.
    expectRelClose(standardNormalQuantile(0.975), 1.959963984540054, 1e-14);
    expectRelClose(standardNormalQuantile(0.001), -3.090232306167813, 1e-14);
    expectRelClose(standardNormalQuantile(1e-10), -6.361340902404056, 1e-14);
    expect(standardNormalQuantile(0.5)).toBe(0);
  });

  it('hits known CDF values', () => {
    // Phi(-1) = 0.15865525393145705, Phi(-4) = 3.167124183311992e-5, Phi(-8) = 6.220960574271784e-16.
    expectRelClose(standardNormalCdf(-1), 0.15865525393145705, 1e-14);
    expectRelClose(standardNormalCdf(-4), 3.167124183311992e-5, 1e-14);
    expectRelClose(standardNormalCdf(-8), 6.220960574271784e-16, 1e-14);
    expect(standardNormalCdf(0)).toBe(0.5);
    expect(standardNormalCdf(Infinity)).toBe(1);
    expect(standardNormalCdf(-Infinity)).toBe(0);
  });

  it('round-trips quantile and CDF across the range', () => {
    for (const u of [1e-12, 1e-6, 0.001, 0.02, 0.1, 0.3, 0.5, 0.6, 0.9, 0.99, 0.999999]) {
      expectRelClose(standardNormalCdf(standardNormalQuantile(u)), u, 1e-12);
    }
  });

  it('rejects p outside (0, 1)', () => {
    expect(() => standardNormalQuantile(0)).toThrow(/\bp: must be > 0/);
    expect(() => standardNormalQuantile(1)).toThrow(/\bp: must be < 1/);
  });
});

describe('log-normal training sigma', () => {
  const edm = { pMean: -1.2, pStd: 1.2 };

  it('has median exp(P_mean) at z = 0 and at u = 0.5, with EDM defaults', () => {
    expectRelClose(sampleTrainingSigma(edm, 0), Math.exp(-1.2), 1e-15);
    expectRelClose(sampleTrainingSigma({}, 0), Math.exp(-1.2), 1e-15);
    expectRelClose(trainingSigmaFromUniform({}, 0.5), Math.exp(-1.2), 1e-15);
    expectRelClose(trainingSigmaCdf({}, Math.exp(-1.2)), 0.5, 1e-15);
  });

  it('maps z to exp(pMean + pStd z)', () => {
    expectRelClose(sampleTrainingSigma(edm, 2), Math.exp(-1.2 + 2.4), 1e-15);
    expectRelClose(sampleTrainingSigma({ pMean: 0.4, pStd: 0.5 }, -1), Math.exp(-0.1), 1e-15);
  });

  it('maps quantiles monotonically and agrees with the normal draw it stands for', () => {
    const us = Array.from({ length: 99 }, (_, i) => (i + 1) / 100);
    const sigmas = us.map((u) => trainingSigmaFromUniform(edm, u));
    for (let i = 1; i < sigmas.length; i++) expect(sigmas[i]).toBeGreaterThan(sigmas[i - 1]);
    // u = Phi(1.959963984540054) = 0.975 is the z = 1.96 draw.
    expectRelClose(trainingSigmaFromUniform(edm, 0.975), sampleTrainingSigma(edm, 1.959963984540054), 1e-13);
    us.forEach((u, i) => expectRelClose(trainingSigmaCdf(edm, sigmas[i]), u, 1e-12));
    expect(trainingSigmaCdf(edm, 0)).toBe(0);
  });

  it('gives the normal density of ln sigma', () => {
    expectRelClose(logSigmaPdf(edm, -1.2), 1 / (1.2 * Math.sqrt(2 * Math.PI)), 1e-15);
    expectRelClose(logSigmaPdf(edm, 0), Math.exp(-0.5) / (1.2 * Math.sqrt(2 * Math.PI)), 1e-15);
    // Integrates to 1 (trapezoid over +-10 std).
    let area = 0;
    const h = 0.01;
    for (let x = -1.2 - 12; x < -1.2 + 12; x += h) area += h * logSigmaPdf(edm, x + h / 2);
    expectRelClose(area, 1, 1e-6);
  });

  it('rejects bad parameters by field', () => {
    expect(() => sampleTrainingSigma({ pStd: 0 }, 0)).toThrow(/pStd: must be > 0/);
    expect(() => sampleTrainingSigma({}, NaN)).toThrow(/normal/);
    expect(() => trainingSigmaFromUniform({}, 1)).toThrow(/\bu: must be < 1/);
    expect(() => trainingSigmaCdf({}, -1)).toThrow(/sigma: must be >= 0/);
  });
});

describe('noiseParamsFor', () => {
  const table = [
    { resolution: 8, pMean: -1.6, pStd: 1.0 },
    { resolution: 16, pMean: -1.4 },
    { resolution: 32 },
  ];

  it('picks the row for a resolution, with defaults filled in', () => {
    expect(noiseParamsFor(8, table)).toEqual({ resolution: 8, pMean: -1.6, pStd: 1.0 });
    expect(noiseParamsFor(16, table)).toEqual({ resolution: 16, pMean: -1.4, pStd: 1.2 });
    expect(noiseParamsFor(32, table)).toEqual({ resolution: 32, pMean: -1.2, pStd: 1.2 });
    expectRelClose(sampleTrainingSigma(noiseParamsFor(8, table), 0), Math.exp(-1.6), 1e-15);
  });

  it('names the missing resolution and the ones it has', () => {
    expect(() => noiseParamsFor(64, table)).toThrow(
      'Invalid noiseParamsFor: resolution: no noise parameters for resolution 64 (table has 8, 16, 32)',
    );
  });

  it('rejects bad tables by row', () => {
    expect(() => noiseParamsFor(8, [])).toThrow(/must list at least one resolution/);
    expect(() => noiseParamsFor(8, [{ resolution: 8 }, { resolution: 8 }])).toThrow(/1\.resolution: resolution 8 is listed twice/);
    expect(() => noiseParamsFor(8, [{ resolution: 8.5 }])).toThrow(/0\.resolution: must be an integer/);
    expect(() => noiseParamsFor(8, [{ resolution: 8, pStd: -1 }])).toThrow(/0\.pStd/);
  });
});

describe('conditionAugSigma', () => {
  it('maps draws for every kind', () => {
    expect(conditionAugSigma({ kind: 'none' }, 0.3, 1.5)).toBe(0);
    expect(conditionAugSigma({ kind: 'fixed', sigma: 0.1 }, 0.3, 1.5)).toBe(0.1);
    expectRelClose(conditionAugSigma({ kind: 'uniform', min: 0, max: 0.5 }, 0.3, 1.5), 0.15, 1e-15);
    expect(conditionAugSigma({ kind: 'uniform', min: 0.2, max: 0.6 }, 0, 0)).toBe(0.2);
    expectRelClose(conditionAugSigma({ kind: 'lognormal', pMean: -3, pStd: 0.5 }, 0.3, 1.5), Math.exp(-2.25), 1e-15);
  });

  it('rejects bad configs and draws by field', () => {
    expect(() => conditionAugSigma({ kind: 'uniform', min: 0.6, max: 0.2 }, 0.5, 0)).toThrow(/min: must be <= max/);
    expect(() => conditionAugSigma({ kind: 'fixed', sigma: -1 }, 0.5, 0)).toThrow(/sigma: must be >= 0/);
    expect(() => conditionAugSigma({ kind: 'lognormal', pMean: 0, pStd: 0 }, 0.5, 0)).toThrow(/pStd/);
    // @ts-expect-error an unknown kind is a runtime error too
    expect(() => conditionAugSigma({ kind: 'blur' }, 0.5, 0)).toThrow(/kind/);
    expect(() => conditionAugSigma({ kind: 'none' }, 1, 0)).toThrow(/uniform: must be < 1/);
  });
});

describe('trainingSigmas (a batch, validated once)', () => {
  it('equals sampleTrainingSigma draw by draw, and names a non-finite draw', () => {
    const normals = [-2.5, -0.3, 0, 0.7, 3.1];
    const params = { pMean: -1.4, pStd: 1.1 };
    const batch = trainingSigmas(params, normals);
    normals.forEach((z, i) => expect(batch[i]).toBe(Math.fround(sampleTrainingSigma(params, z))));
    expect(() => trainingSigmas(params, [0, Number.NaN])).toThrow(/trainingSigmas\[1\]/);
    expect(() => trainingSigmas({ pMean: 0, pStd: -1 }, [0])).toThrow(/pStd/);
  });
});
