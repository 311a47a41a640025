import { expect } from 'vitest';

/** Geometric grid of n points from lo to hi inclusive. */
export function logspace(lo: number, hi: number, n: number): number[] {
  const a = Math.log(lo);
  const b = Math.log(hi);
  return Array.from({ length: n }, (_, i) => Math.exp(a + (i / (n - 1)) * (b - a)));
}

export function expectRelClose(actual: number, expected: number, rel = 1e-9): void {
  const err = Math.abs(actual - expected) / Math.max(Math.abs(expected), Number.MIN_VALUE);
  expect(err, `${actual} vs ${expected}`).toBeLessThanOrEqual(rel);
}

export function expectStrictlyDecreasing(values: readonly number[]): void {
  for (let i = 1; i < values.length; i++) {
    expect(values[i], `index ${i}`).toBeLessThan(values[i - 1]);
  }
}
