import { describe, expect, it } from 'vitest';
import { flowTimes, shiftFlowTime, unshiftFlowTime } from '../src/index';
import { expectRelClose, expectStrictlyDecreasing } from './helpers';

describe('flowTimes', () => {
  it('is uniform from 1 to 0 with N + 1 entries when shift = 1', () => {
    const t = flowTimes({ steps: 4 });
    expect(t).toEqual([1, 0.75, 0.5, 0.25, 0]);
  });

  it('keeps the endpoints and stays decreasing under any shift', () => {
    for (const shift of [0.25, 1, 3, 10]) {
      const t = flowTimes({ steps: 25, shift });
      expect(t).toHaveLength(26);
      expect(t[0]).toBe(1);
      expect(t[25]).toBe(0);
      expectStrictlyDecreasing(t);
    }
  });

  it('applies t\' = s t / (1 + (s - 1) t)', () => {
    const plain = flowTimes({ steps: 10 });
    const shifted = flowTimes({ steps: 10, shift: 3 });
    plain.forEach((t, i) => expectRelClose(shifted[i] + 1, (3 * t) / (1 + 2 * t) + 1, 1e-15));
  });

  it('rejects bad parameters by field', () => {
    expect(() => flowTimes({ steps: 0 })).toThrow(/steps/);
    expect(() => flowTimes({ steps: 4, shift: 0 })).toThrow(/shift: must be > 0/);
  });
});

describe('shiftFlowTime', () => {
  const grid = Array.from({ length: 101 }, (_, i) => i / 100);

  it('is the identity for shift = 1', () => {
    for (const t of grid) expect(shiftFlowTime(t, 1)).toBe(t);
  });

  it('fixes 0 and 1 and pushes interior times up for shift > 1 (down for shift < 1)', () => {
    for (const s of [0.5, 2, 3, 6]) {
      expect(shiftFlowTime(0, s)).toBe(0);
      expect(shiftFlowTime(1, s)).toBe(1);
      for (const t of grid.slice(1, -1)) {
        if (s > 1) expect(shiftFlowTime(t, s)).toBeGreaterThan(t);
        else expect(shiftFlowTime(t, s)).toBeLessThan(t);
      }
    }
    expectRelClose(shiftFlowTime(0.5, 3), 0.75, 1e-15);
  });

  it('is monotone and inverted by unshiftFlowTime', () => {
    for (const s of [0.3, 3]) {
      for (let i = 1; i < grid.length; i++) expect(shiftFlowTime(grid[i], s)).toBeGreaterThan(shiftFlowTime(grid[i - 1], s));
      for (const t of grid) expect(Math.abs(unshiftFlowTime(shiftFlowTime(t, s), s) - t)).toBeLessThan(1e-15);
    }
  });

  it('rejects times outside [0, 1] and non-positive shifts', () => {
    expect(() => shiftFlowTime(1.1, 2)).toThrow(/\bt: must be <= 1/);
    expect(() => shiftFlowTime(-0.1, 2)).toThrow(/\bt: must be >= 0/);
    expect(() => shiftFlowTime(0.5, -1)).toThrow(/shift/);
  });
});
