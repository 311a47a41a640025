import { describe, expect, it } from 'vitest';
import { karrasSigmas, KarrasSigmaParamsSchema, ScheduleParamError } from '../src/index';
import { expectRelClose, expectStrictlyDecreasing } from './helpers';

describe('karrasSigmas', () => {
  const sigmas = karrasSigmas({ steps: 18 });

  it('has EDM CIFAR-10 shape: 18 sigmas from 80 to 0.002, then 0', () => {
    expect(sigmas).toHaveLength(19);
    expect(Math.abs(sigmas[0] - 80)).toBeLessThan(1e-9);
    expect(Math.abs(sigmas[17] - 0.002)).toBeLessThan(1e-12);
    expect(sigmas[18]).toBe(0);
    expectStrictlyDecreasing(sigmas);
  });

  it('matches hand-computed interior values', () => {
    // a = 80^(1/7) = 1.8701222535385968, b = 0.002^(1/7) = 0.41155971378360795.
    // i = 1:  (a + (1/17)(b - a))^7  = 1.784324457082421^7  = 57.58598472124816
    // i = 9:  (a + (9/17)(b - a))^7  = 1.0979420854330146^7 = 1.9233398370400518
    // i = 16: (a + (16/17)(b - a))^7 = 0.4973575102397838^7 = 0.0075280199627840785
    expectRelClose(sigmas[1], 57.58598472124816, 1e-12);
    expectRelClose(sigmas[9], 1.9233398370400518, 1e-12);
    expectRelClose(sigmas[16], 0.0075280199627840785, 1e-12);
    // And against the formula evaluated independently here.
    const a = Math.pow(80, 1 / 7);
    const b = Math.pow(0.002, 1 / 7);
    for (let i = 1; i < 17; i++) expectRelClose(sigmas[i], Math.pow(a + (i / 17) * (b - a), 7), 1e-14);
  });

  it('returns [sigmaMax, 0] for one step', () => {
    expect(karrasSigmas({ steps: 1 })).toEqual([80, 0]);
    expect(karrasSigmas({ steps: 1, sigmaMax: 10, sigmaMin: 1 })).toEqual([10, 0]);
  });

  it('honours custom parameters and stays monotone', () => {
    for (const rho of [0.5, 1, 3, 7, 20]) {
      const s = karrasSigmas({ steps: 10, sigmaMin: 0.01, sigmaMax: 5, rho });
      expect(s).toHaveLength(11);
      expect(s[0]).toBe(5);
      expect(s[9]).toBe(0.01);
      expectStrictlyDecreasing(s);
    }
    // rho = 1 is uniform in sigma.
    const uniform = karrasSigmas({ steps: 3, sigmaMin: 1, sigmaMax: 3, rho: 1 });
    expectRelClose(uniform[1], 2, 1e-15);
  });

  it('exposes defaults through its schema', () => {
    expect(KarrasSigmaParamsSchema.parse({ steps: 4 })).toEqual({ steps: 4, sigmaMin: 0.002, sigmaMax: 80, rho: 7 });
  });

  it('rejects bad parameters with messages that name the field', () => {
    expect(() => karrasSigmas({ steps: 18, sigmaMin: 80, sigmaMax: 80 })).toThrow(/sigmaMin: must be < sigmaMax/);
    expect(() => karrasSigmas({ steps: 18, sigmaMin: 100 })).toThrow(/sigmaMin/);
    expect(() => karrasSigmas({ steps: 18, sigmaMin: 0 })).toThrow(/sigmaMin: must be > 0/);
    expect(() => karrasSigmas({ steps: 18, rho: 0 })).toThrow(/rho/);
    expect(() => karrasSigmas({ steps: 18, rho: -7 })).toThrow(/rho: must be > 0/);
    expect(() => karrasSigmas({ steps: 0 })).toThrow(/steps: must be >= 1/);
    expect(() => karrasSigmas({ steps: 2.5 })).toThrow(/steps: must be an integer/);
    expect(() => karrasSigmas({ steps: NaN })).toThrow(/steps/);
    expect(() => karrasSigmas({ steps: 18, sigmaMax: Infinity })).toThrow(/sigmaMax/);
  });

  it('throws a ScheduleParamError with the standard prefix and the zod issues', () => {
    let caught: unknown;
    try {
      karrasSigmas({ steps: 18, sigmaMin: 100, sigmaMax: 80 });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(ScheduleParamError);
    expect(caught).toBeInstanceOf(Error);
    const err = caught as ScheduleParamError;
    expect(err.message).toBe('Invalid KarrasSigmaParams: sigmaMin: must be < sigmaMax');
    expect(err.label).toBe('KarrasSigmaParams');
    expect(err.issues[0].path).toEqual(['sigmaMin']);
  });
});
