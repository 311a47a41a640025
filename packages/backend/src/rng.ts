import * as tf from '@tensorflow/tfjs';
import { xoroshiro128plus, xoroshiro128plusFromState } from 'pure-rand/generator/xoroshiro128plus';
import type { JumpableRandomGenerator } from 'pure-rand/types/JumpableRandomGenerator';
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { z } from 'zod';

/** Serialisable generator state: store it in a checkpoint to resume a run exactly. */
export const RngStateSchema = z.object({
  algorithm: z.literal('xoroshiro128plus'),
  state: z.array(z.number().int()).length(4),
});
export type RngState = z.infer<typeof RngStateSchema>;

/**
 * The one seeded random generator for noise, shuffling and dropout. Numbers are drawn in
 * JavaScript (xoroshiro128+) rather than by tfjs's per-backend random ops, so the same seed gives
 * the same noise on every backend, and the state can be saved and restored.
 */
export class Rng {
  private gen: JumpableRandomGenerator;

  constructor(seedOrState: number | RngState) {
    if (typeof seedOrState === 'number') {
      if (!Number.isFinite(seedOrState)) throw new Error(`Rng seed must be a finite number, got ${seedOrState}`);
      this.gen = xoroshiro128plus(seedOrState | 0);
    } else {
      this.gen = xoroshiro128plusFromState(RngStateSchema.parse(seedOrState).state);
    }
  }

  /**
   * An independent generator for (seed, ...keys), e.g. `Rng.derive(seed, sampleIndex)`: sample i
   * then depends only on (seed, i), never on how requests are batched.
   */
  static derive(seed: number, ...keys: number[]): Rng {
    let h = mix32(seed | 0);
    for (const k of keys) h = mix32(h ^ mix32((k | 0) + 0x9e3779b9));
    return new Rng(h);
  }

  state(): RngState {
    return { algorithm: 'xoroshiro128plus', state: [...this.gen.getState()] };
  }

  setState(state: RngState): void {
    this.gen = xoroshiro128plusFromState(RngStateSchema.parse(state).state);
  }

  clone(): Rng {
    return new Rng(this.state());
  }

  /** Uniform in [0, 1). */
  uniform(): number {
    return uniformFloat64(this.gen);
  }

  /** Standard normal (Box-Muller, one value per pair of uniforms). */
  normal(): number {
    const u = 1 - this.uniform();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.uniform());
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  uniformArray(n: number, min = 0, max = 1): Float32Array {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = min + (max - min) * this.uniform();
    return out;
  }

  normalArray(n: number, mean = 0, std = 1): Float32Array {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i += 2) {
      const r = Math.sqrt(-2 * Math.log(1 - this.uniform()));
      const t = 2 * Math.PI * this.uniform();
      out[i] = mean + std * r * Math.cos(t);
      if (i + 1 < n) out[i + 1] = mean + std * r * Math.sin(t);
    }
    return out;
  }

  /** A permutation of 0..n-1 (Fisher-Yates). */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }

  /** A shuffled copy. */
  shuffle<T>(items: readonly T[]): T[] {
    return Array.from(this.permutation(items.length), (i) => items[i]);
  }

  normalTensor(shape: number[], mean = 0, std = 1): tf.Tensor {
    return tf.tensor(this.normalArray(sizeOf(shape), mean, std), shape, 'float32');
  }

  uniformTensor(shape: number[], min = 0, max = 1): tf.Tensor {
    return tf.tensor(this.uniformArray(sizeOf(shape), min, max), shape, 'float32');
  }

  /** Inverted-dropout mask: 0 with probability `rate`, else 1/(1-rate). */
  dropoutMask(shape: number[], rate: number): tf.Tensor {
    if (!(rate >= 0 && rate < 1)) throw new Error(`dropout rate must be in [0, 1), got ${rate}`);
    const n = sizeOf(shape);
    const out = new Float32Array(n);
    const keep = 1 / (1 - rate);
    for (let i = 0; i < n; i++) out[i] = this.uniform() < rate ? 0 : keep;
    return tf.tensor(out, shape, 'float32');
  }
}

function sizeOf(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

// murmur3's 32-bit finaliser: spreads nearby seeds (0, 1, 2, ...) to unrelated states.
function mix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}
