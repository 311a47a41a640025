import { describe, expect, it } from 'vitest';
import {
  alphaBarToSigma,
  vpCosineAlphaBar,
  vpCosineSigma,
  vpCosineSigmas,
  vpLinearSigma,
  vpLinearSigmas,
} from '../src/index';
import { expectRelClose, expectStrictlyDecreasing } from './helpers';

describe('vpLinearSigmas', () => {
  it('follows EDM: t uniform from 1 to epsS, sigma = sqrt(exp(betaD t^2/2 + betaMin t) - 1)', () => {
    const s = vpLinearSigmas({ steps: 18 });
    expect(s).toHaveLength(19);
    expect(s[18]).toBe(0);
    expectStrictlyDecreasing(s);
    // sigma(1) = sqrt(e^(9.95 + 0.1) - 1); sigma(1e-3) = sqrt(e^(9.95e-6 + 1e-4) - 1).
    expectRelClose(s[0], Math.sqrt(Math.exp(10.05) - 1), 1e-14);
    expectRelClose(s[0], 152.16697028394637, 1e-12);
    expectRelClose(s[17], 0.010485992786702987, 1e-12);
    for (let i = 0; i < 18; i++) {
      const t = 1 + (i / 17) * (1e-3 - 1);
      expectRelClose(s[i], Math.sqrt(Math.exp(0.5 * 19.9 * t * t + 0.1 * t) - 1), 1e-9);
    }
  });

  it('handles one step and custom coefficients', () => {
    expect(vpLinearSigmas({ steps: 1 })).toEqual([vpLinearSigma(1), 0]);
    const s = vpLinearSigmas({ steps: 5, betaMin: 0, betaD: 10, epsS: 0.01 });
    expectRelClose(s[4], Math.sqrt(Math.expm1(0.5 * 10 * 1e-4)), 1e-14);
    expectStrictlyDecreasing(s);
  });

  it('rejects bad parameters by field', () => {
    expect(() => vpLinearSigmas({ steps: 0 })).toThrow(/steps/);
    expect(() => vpLinearSigmas({ steps: 4, betaD: 0 })).toThrow(/betaD/);
    expect(() => vpLinearSigmas({ steps: 4, betaMin: -1 })).toThrow(/betaMin/);
    expect(() => vpLinearSigmas({ steps: 4, epsS: 0 })).toThrow(/epsS/);
    expect(() => vpLinearSigma(1.5)).toThrow(/vpLinearSigma: t: must be <= 1/);
  });
});

describe('vpCosineSigmas', () => {
  it('starts at tMax = 0.9946, ends at tMin, is decreasing and ends in 0', () => {
    const s = vpCosineSigmas({ steps: 18 });
    expect(s).toHaveLength(19);
    expect(s[18]).toBe(0);
    expectStrictlyDecreasing(s);
    expectRelClose(s[0], vpCosineSigma(0.9946), 1e-15);
    expectRelClose(s[17], vpCosineSigma(1e-3), 1e-15);
    expect(s[0]).toBeGreaterThan(100);
    expect(s[0]).toBeLessThan(150);
  });

  it('agrees with sqrt((1 - alpha_bar) / alpha_bar) of the cosine alpha_bar', () => {
    for (const t of [0.01, 0.1, 0.3, 0.5, 0.7, 0.9, 0.99]) {
      const theta = ((t + 0.008) / 1.008) * (Math.PI / 2);
      const theta0 = (0.008 / 1.008) * (Math.PI / 2);
      const alphaBar = Math.cos(theta) ** 2 / Math.cos(theta0) ** 2;
      expectRelClose(vpCosineAlphaBar(t), alphaBar, 1e-14);
      expectRelClose(vpCosineSigma(t), alphaBarToSigma(alphaBar), 1e-9);
    }
    expect(vpCosineAlphaBar(0)).toBe(1);
    expect(vpCosineSigma(0)).toBe(0);
  });

  it('rejects bad parameters by field', () => {
    expect(() => vpCosineSigmas({ steps: 4, tMax: 1 })).toThrow(/tMax/);
    expect(() => vpCosineSigmas({ steps: 4, tMin: 0.5, tMax: 0.4 })).toThrow(/tMin: must be < tMax/);
    expect(() => vpCosineSigmas({ steps: 4, s: -0.1 })).toThrow(/\bs: must be >= 0/);
    expect(() => vpCosineSigmas({ steps: -1 })).toThrow(/steps/);
  });
});
