import { describe, expect, it } from 'vitest';
import { edmLossWeight, edmPreconditioning } from '../src/index';
import { expectRelClose, logspace } from './helpers';

describe('edmPreconditioning', () => {
  it('gives the textbook values at sigma = sigmaData', () => {
    for (const sd of [0.5, 1, 0.2]) {
      const c = edmPreconditioning(sd, sd);
      expectRelClose(c.cSkip, 0.5, 1e-15);
      expectRelClose(c.cOut, sd / Math.SQRT2, 1e-15);
      expectRelClose(c.cIn, 1 / (sd * Math.SQRT2), 1e-15);
      expectRelClose(c.cNoise, Math.log(sd) / 4, 1e-15);
    }
  });

  it('defaults sigmaData to 0.5 and matches the formulas', () => {
    const s = 2.5;
    const c = edmPreconditioning(s);
    expect(c).toEqual(edmPreconditioning(s, 0.5));
    expectRelClose(c.cSkip, 0.25 / (s * s + 0.25), 1e-15);
    expectRelClose(c.cOut, (s * 0.5) / Math.sqrt(s * s + 0.25), 1e-15);
    expectRelClose(c.cIn, 1 / Math.sqrt(s * s + 0.25), 1e-15);
    expectRelClose(c.cNoise, Math.log(s) / 4, 1e-15);
  });

  it('satisfies cSkip + cOut^2 / sd^2 = 1 and cIn^2 (sigma^2 + sd^2) = 1 at every sigma', () => {
    for (const sd of [0.5, 1.3]) {
      for (const s of logspace(1e-3, 1e3, 61)) {
        const c = edmPreconditioning(s, sd);
        expectRelClose(c.cSkip + (c.cOut * c.cOut) / (sd * sd), 1, 1e-14);
        expectRelClose(c.cIn * c.cIn * (s * s + sd * sd), 1, 1e-14);
        // The training target (y - cSkip (y + s n)) / cOut has unit variance:
        // ((1 - cSkip)^2 sd^2 + cSkip^2 s^2) / cOut^2 = 1.
        expectRelClose(((1 - c.cSkip) ** 2 * sd * sd + c.cSkip ** 2 * s * s) / (c.cOut * c.cOut), 1, 1e-12);
      }
    }
  });

  it('passes the input through at low noise and hands over to the network at high noise', () => {
    const low = edmPreconditioning(1e-6);
    expect(low.cSkip).toBeGreaterThan(1 - 1e-10);
    expect(low.cOut).toBeLessThan(1e-5);
    const high = edmPreconditioning(1e6);
    expect(high.cSkip).toBeLessThan(1e-12);
    expectRelClose(high.cOut, 0.5, 1e-10);
  });

  it('rejects sigma <= 0 and sigmaData <= 0 by name', () => {
    expect(() => edmPreconditioning(0)).toThrow(/edmPreconditioning: sigma: must be > 0/);
    expect(() => edmPreconditioning(1, -0.5)).toThrow(/sigmaData: must be > 0/);
    expect(() => edmPreconditioning(NaN)).toThrow(/sigma/);
  });
});

describe('edmLossWeight', () => {
  it('is (sigma^2 + sd^2) / (sigma sd)^2 and equals 1 / cOut^2', () => {
    expectRelClose(edmLossWeight(0.5), (0.25 + 0.25) / 0.0625, 1e-15);
    for (const sd of [0.5, 1]) {
      for (const s of logspace(1e-3, 1e3, 61)) {
        const { cOut } = edmPreconditioning(s, sd);
        expectRelClose(edmLossWeight(s, sd) * cOut * cOut, 1, 1e-14);
      }
    }
  });

  it('rejects sigma <= 0', () => {
    expect(() => edmLossWeight(-1)).toThrow(/edmLossWeight: sigma/);
  });
});
