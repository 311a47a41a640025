import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, Rng } from '../src';

describe('Rng', () => {
  beforeAll(() => initBackend({ backend: 'wasm' }));

  it('gives the same numbers for the same seed, different ones for another', () => {
    expect(Array.from(new Rng(42).normalArray(8))).toEqual(Array.from(new Rng(42).normalArray(8)));
    expect(Array.from(new Rng(42).normalArray(8))).not.toEqual(Array.from(new Rng(43).normalArray(8)));
  });

  it('resumes exactly from a saved state', () => {
    const a = new Rng(7);
    a.normalArray(5);
    const saved = JSON.parse(JSON.stringify(a.state()));
    const next = a.uniformArray(6);
    const b = new Rng(saved);
    expect(Array.from(b.uniformArray(6))).toEqual(Array.from(next));
  });

  it('draws standard normals and uniforms with the right moments', () => {
    const z = new Rng(1).normalArray(200_001);
    const mean = z.reduce((s, v) => s + v, 0) / z.length;
    const variance = z.reduce((s, v) => s + (v - mean) ** 2, 0) / z.length;
    expect(Math.abs(mean)).toBeLessThan(0.01);
    expect(Math.abs(variance - 1)).toBeLessThan(0.01);
    const u = new Rng(2).uniformArray(100_000);
    expect(Math.min(...u)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...u)).toBeLessThan(1);
    expect(Math.abs(u.reduce((s, v) => s + v, 0) / u.length - 0.5)).toBeLessThan(0.01);
  });

  it('derives independent streams that depend only on (seed, keys)', () => {
    const a = Rng.derive(5, 3).normalArray(4);
    expect(Array.from(Rng.derive(5, 3).normalArray(4))).toEqual(Array.from(a));
    expect(Array.from(Rng.derive(5, 4).normalArray(4))).not.toEqual(Array.from(a));
    expect(Array.from(Rng.derive(6, 3).normalArray(4))).not.toEqual(Array.from(a));
  });

  it('shuffles into a permutation', () => {
    const p = Array.from(new Rng(3).permutation(100));
    expect([...p].sort((x, y) => x - y)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(p).not.toEqual(Array.from({ length: 100 }, (_, i) => i));
  });

  it('makes inverted-dropout masks with the requested rate', () => {
    const m = new Rng(4).dropoutMask([10_000], 0.25);
    const v = m.dataSync();
    const zeros = v.filter((x) => x === 0).length / v.length;
    expect(Math.abs(zeros - 0.25)).toBeLessThan(0.02);
    expect(v.filter((x) => x !== 0).every((x) => Math.abs(x - 1 / 0.75) < 1e-6)).toBe(true);
    m.dispose();
    expect(() => new Rng(4).dropoutMask([2], 1)).toThrow(/rate/);
  });

  it('gives the same noise tensor on cpu and wasm', async () => {
    await initBackend({ backend: 'cpu' });
    const cpu = new Rng(9).normalTensor([2, 3]);
    const a = await cpu.data();
    await initBackend({ backend: 'wasm' });
    const wasm = new Rng(9).normalTensor([2, 3]);
    expect(Array.from(await wasm.data())).toEqual(Array.from(a));
    tf.dispose([cpu, wasm]);
  });

  it('rejects bad seeds and states', () => {
    expect(() => new Rng(Number.NaN)).toThrow(/seed/);
    expect(() => new Rng({ algorithm: 'xoroshiro128plus', state: [1, 2] })).toThrow();
  });
});
