import type { Value } from '../ops';
import { opsOf, param, type ForwardContext } from './context';

/**
 * Sinusoidal features of a scalar per sample (DDPM++'s positional embedding), or random Fourier
 * features with fixed frequencies (NCSN++). `values` [N] are EDM's c_noise = ln(sigma) / 4.
 */
export function noiseFeatures(ctx: ForwardContext, name: string, values: Value, dim: number, kind: 'positional' | 'fourier'): Value {
  const ops = opsOf(ctx);
  const half = dim / 2;
  if (kind === 'positional') {
    // EDM's PositionalEmbedding: frequencies (1/10000)^(i/half), applied to c_noise scaled up by
    // 1000, since c_noise spans only about [-1.6, 1.1].
    const freqs = Float32Array.from({ length: half }, (_, i) => Math.pow(1 / 10000, i / half));
    return ops.sinusoid(values, ops.constant(freqs, [half]), 1000);
  }
  // Fixed random frequencies (a non-trainable buffer), std 16 as in EDM's FourierEmbedding.
  const f = param(ctx, `${name}.freqs`, [half], { kind: 'normal', std: 16 }, false);
  return ops.sinusoid(values, ops.scale(f, 2 * Math.PI), 1);
}
