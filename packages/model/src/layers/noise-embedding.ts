import * as tf from '@tensorflow/tfjs';
import type { ForwardContext } from './context';

/**
 * Sinusoidal features of a scalar per sample (DDPM++'s positional embedding), or random Fourier
 * features with fixed frequencies (NCSN++). `values` are EDM's c_noise = ln(sigma) / 4.
 */
export function noiseFeatures(ctx: ForwardContext, name: string, values: tf.Tensor1D, dim: number, kind: 'positional' | 'fourier'): tf.Tensor2D {
  const half = dim / 2;
  let freqs: tf.Tensor1D;
  if (kind === 'positional') {
    // EDM's PositionalEmbedding: frequencies (1/10000)^(i/half), applied to c_noise (scaled up,
    // since c_noise spans only about [-1.6, 1.1]).
    freqs = tf.tensor1d(Array.from({ length: half }, (_, i) => Math.pow(1 / 10000, i / half)));
    values = tf.mul(values, 1000) as tf.Tensor1D;
  } else {
    // Fixed random frequencies (a non-trainable buffer), std 16 as in EDM's FourierEmbedding.
    const f = ctx.store.param(`${name}.freqs`, [half], { kind: 'normal', std: 16 }, false);
    freqs = tf.mul(f, 2 * Math.PI) as tf.Tensor1D;
  }
  const args = tf.mul(tf.reshape(values, [-1, 1]), tf.reshape(freqs, [1, half]));
  return tf.concat([tf.cos(args), tf.sin(args)], 1) as tf.Tensor2D;
}
