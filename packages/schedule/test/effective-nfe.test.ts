import { describe, expect, it } from 'vitest';
import { effectiveNfe, eulerNfe, heunNfe, karrasSigmas } from '../src/index';

const flops = { 32: 100, 16: 25, 8: 6.25 };
const plan = [
  { resolution: 8, calls: 18 },
  { resolution: 16, calls: 11 },
  { resolution: 32, calls: 7 },
];

describe('effectiveNfe', () => {
  it('weights each call by FLOPs relative to a full-resolution call', () => {
    const r = effectiveNfe({ flopsPerCall: flops, fullResolution: 32, stages: plan });
    // 18 * 6.25/100 + 11 * 25/100 + 7 * 1 = 1.125 + 2.75 + 7 = 10.875
    expect(r.total).toBeCloseTo(10.875, 12);
    expect(r.totalCalls).toBe(36);
    expect(r.fullResolutionFlops).toBe(100);
    expect(r.perStage).toEqual([
      { resolution: 8, calls: 18, relativeCost: 0.0625, effective: 1.125 },
      { resolution: 16, calls: 11, relativeCost: 0.25, effective: 2.75 },
      { resolution: 32, calls: 7, relativeCost: 1, effective: 7 },
    ]);
  });

  it('accepts a Map and gives the same answer', () => {
    const map = new Map([
      [32, 100],
      [16, 25],
      [8, 6.25],
    ]);
    expect(effectiveNfe({ flopsPerCall: map, fullResolution: 32, stages: plan })).toEqual(
      effectiveNfe({ flopsPerCall: flops, fullResolution: 32, stages: plan }),
    );
  });

  it('equals the raw NFE for a single full-resolution stage', () => {
    const r = effectiveNfe({ flopsPerCall: flops, fullResolution: 32, stages: [{ resolution: 32, calls: heunNfe(18) }] });
    expect(r.total).toBe(35);
  });

  it('names a stage with no FLOP entry', () => {
    expect(() =>
      effectiveNfe({ flopsPerCall: { 32: 100, 8: 6.25 }, fullResolution: 32, stages: plan }),
    ).toThrow('Invalid EffectiveNfeParams: stages.1.resolution: no FLOP entry for resolution 16 (flopsPerCall has 8, 32)');
    expect(() => effectiveNfe({ flopsPerCall: { 16: 25 }, fullResolution: 32, stages: [{ resolution: 16, calls: 1 }] })).toThrow(
      /fullResolution: no FLOP entry for resolution 32/,
    );
  });

  it('rejects non-positive FLOPs and bad stages by field', () => {
    expect(() => effectiveNfe({ flopsPerCall: { ...flops, 16: 0 }, fullResolution: 32, stages: plan })).toThrow(
      /flopsPerCall\.16: must be > 0/,
    );
    expect(() =>
      effectiveNfe({ flopsPerCall: new Map([[32, -1]]), fullResolution: 32, stages: [{ resolution: 32, calls: 1 }] }),
    ).toThrow(/flopsPerCall\.32: must be > 0/);
    expect(() => effectiveNfe({ flopsPerCall: flops, fullResolution: 32, stages: [{ resolution: 32, calls: 1.5 }] })).toThrow(
      /stages\.0\.calls: must be an integer/,
    );
    expect(() => effectiveNfe({ flopsPerCall: flops, fullResolution: 32, stages: [] })).toThrow(/stages: must list at least one stage/);
    // Untyped input (e.g. a JSON config) can still carry a non-numeric key.
    const fromJson = JSON.parse('{"abc": 1, "32": 1}') as Record<number, number>;
    expect(() => effectiveNfe({ flopsPerCall: fromJson, fullResolution: 32, stages: plan })).toThrow(
      /flopsPerCall\.abc: keys must be positive integer resolutions/,
    );
  });
});

describe('heunNfe and eulerNfe', () => {
  it('count network calls per N sampling steps (N + 1 sigmas)', () => {
    // EDM CIFAR-10: 18 steps, sigma list of 19 entries, 35 NFE.
    expect(karrasSigmas({ steps: 18 })).toHaveLength(19);
    expect(heunNfe(18)).toBe(35);
    expect(heunNfe(1)).toBe(1);
    expect(eulerNfe(18)).toBe(18);
  });

  it('reject step counts that are not integers >= 1', () => {
    expect(() => heunNfe(0)).toThrow(/heunNfe: steps: must be >= 1/);
    expect(() => eulerNfe(2.5)).toThrow(/eulerNfe: steps: must be an integer/);
  });
});
