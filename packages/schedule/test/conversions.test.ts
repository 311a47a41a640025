import { describe, expect, it } from 'vitest';
import {
  alphaBarToSigma,
  edmToFlowScale,
  edmToVpScale,
  flowTimeToSigma,
  karrasSigmas,
  logSnrToSigma,
  sigmaToAlphaBar,
  sigmaToFlowTime,
  sigmaToLogSnr,
  sigmaToVp,
  vpToSigma,
} from '../src/index';
import { expectRelClose, logspace } from './helpers';

const sigmas = logspace(1e-3, 1e3, 121);

describe('round trips over sigma in [1e-3, 1e3] to 1e-9 relative', () => {
  it('alpha_bar', () => {
    for (const s of sigmas) expectRelClose(alphaBarToSigma(sigmaToAlphaBar(s)), s);
  });
  it('VP pair', () => {
    for (const s of sigmas) expectRelClose(vpToSigma(sigmaToVp(s)), s);
  });
  it('log-SNR', () => {
    for (const s of sigmas) expectRelClose(logSnrToSigma(sigmaToLogSnr(s)), s);
    for (const l of [-13, -1, 0, 2.5, 13]) expectRelClose(sigmaToLogSnr(logSnrToSigma(l)) + 100, l + 100);
  });
  it('flow time', () => {
    for (const s of sigmas) expectRelClose(flowTimeToSigma(sigmaToFlowTime(s)), s);
    for (const t of [0.001, 0.25, 0.5, 0.9, 0.999]) expectRelClose(sigmaToFlowTime(flowTimeToSigma(t)), t);
  });
});

describe('conversion formulas', () => {
  it('alpha_bar = 1 / (1 + sigma^2), VP pair is normalised and matches alpha_bar', () => {
    expect(sigmaToAlphaBar(1)).toBe(0.5);
    for (const s of sigmas) {
      const { alpha, sigma } = sigmaToVp(s);
      expectRelClose(alpha * alpha + sigma * sigma, 1, 1e-14);
      expectRelClose(alpha * alpha, sigmaToAlphaBar(s), 1e-14);
      expectRelClose(sigma / alpha, s, 1e-14);
    }
  });

  it('log-SNR is -2 ln sigma, so sigma = 1 is lambda = 0', () => {
    expect(sigmaToLogSnr(1)).toBe(-0);
    expectRelClose(sigmaToLogSnr(80), -2 * Math.log(80), 1e-15);
  });

  it('flow: the scaled EDM sample is (1 - t) x0 + t eps', () => {
    for (const s of [0.002, 0.5, 1, 80]) {
      const t = sigmaToFlowTime(s);
      const k = edmToFlowScale(s);
      // x_edm = x0 + s eps; k x_edm must have coefficients (1 - t, t).
      expectRelClose(k, 1 - t, 1e-14);
      expectRelClose(k * s, t, 1e-14);
    }
    expect(sigmaToFlowTime(1)).toBe(0.5);
  });

  it('VP: the scaled EDM sample is alpha x0 + sigma_vp eps', () => {
    for (const s of [0.002, 0.5, 1, 80]) {
      const { alpha, sigma } = sigmaToVp(s);
      expectRelClose(edmToVpScale(s), alpha, 1e-15);
      expectRelClose(edmToVpScale(s) * s, sigma, 1e-14);
    }
  });

  it('handles the ends of each range', () => {
    expect(sigmaToAlphaBar(0)).toBe(1);
    expect(sigmaToAlphaBar(Infinity)).toBe(0);
    expect(alphaBarToSigma(1)).toBe(0);
    expect(alphaBarToSigma(0)).toBe(Infinity);
    expect(sigmaToVp(0)).toEqual({ alpha: 1, sigma: 0 });
    expect(sigmaToVp(Infinity)).toEqual({ alpha: 0, sigma: 1 });
    expect(vpToSigma({ alpha: 0, sigma: 1 })).toBe(Infinity);
    expect(sigmaToLogSnr(0)).toBe(Infinity);
    expect(logSnrToSigma(Infinity)).toBe(0);
    expect(sigmaToFlowTime(0)).toBe(0);
    expect(sigmaToFlowTime(Infinity)).toBe(1);
    expect(flowTimeToSigma(1)).toBe(Infinity);
    expectRelClose(sigmaToVp(1e200).alpha, 1e-200, 1e-14);
  });

  it('keeps a schedule monotone in every parameterisation', () => {
    const s = karrasSigmas({ steps: 18 });
    const increasing = (xs: number[]) => xs.every((x, i) => i === 0 || x > xs[i - 1]);
    const decreasing = (xs: number[]) => xs.every((x, i) => i === 0 || x < xs[i - 1]);
    expect(increasing(s.map(sigmaToAlphaBar))).toBe(true);
    expect(increasing(s.map(sigmaToLogSnr))).toBe(true);
    expect(decreasing(s.map(sigmaToFlowTime))).toBe(true);
  });

  it('rejects out-of-range inputs by argument name', () => {
    expect(() => sigmaToAlphaBar(-1)).toThrow(/sigmaToAlphaBar: sigma/);
    expect(() => alphaBarToSigma(1.5)).toThrow(/alphaBar: must be a number in \[0, 1\]/);
    expect(() => vpToSigma({ alpha: 0, sigma: 0 })).toThrow(/cannot both be 0/);
    expect(() => vpToSigma({ alpha: -0.5, sigma: 0.5 })).toThrow(/alpha/);
    expect(() => logSnrToSigma(NaN)).toThrow(/logSnr/);
    expect(() => flowTimeToSigma(-0.1)).toThrow(/\bt: must be a number in \[0, 1\]/);
    expect(() => sigmaToFlowTime(NaN)).toThrow(/sigma/);
  });
});
