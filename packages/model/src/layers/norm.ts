import * as tf from '@tensorflow/tfjs';
import type { ForwardContext } from './context';

/**
 * GroupNorm over NHWC with a learned per-channel scale and shift. Statistics come from two
 * batched matrix products (sum over pixels of x and x^2) and a last-axis mean over each group's
 * channels: wasm reduces non-trailing axes and broadcasts 5-D tensors slowly, and this form does
 * neither, so the layer costs a fraction of a moments()-based one; the normalisation is folded
 * into one per-(sample, channel) scale and shift.
 */
export function groupNorm(ctx: ForwardContext, name: string, x: tf.Tensor4D, groups: number, eps = 1e-5): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  const g = Math.min(groups, c);
  const pixels = h * w;
  const flat = tf.reshape(x, [n, pixels, c]) as tf.Tensor3D;
  const ones = tf.fill([n, 1, pixels], 1 / pixels) as tf.Tensor3D;
  const groupMean = (t: tf.Tensor3D) => tf.mean(tf.reshape(tf.matMul(ones, t), [n, g, c / g]), 2, true);
  const mean = groupMean(flat);
  const variance = tf.relu(tf.sub(groupMean(tf.square(flat) as tf.Tensor3D), tf.square(mean)));
  const gamma = ctx.store.param(`${name}.weight`, [c], { kind: 'ones' });
  const beta = ctx.store.param(`${name}.bias`, [c], { kind: 'zeros' });
  const perChannel = (t: tf.Tensor) => tf.reshape(tf.tile(t, [1, 1, c / g]), [n, 1, 1, c]);
  const scale = tf.mul(perChannel(tf.rsqrt(tf.add(variance, eps))), gamma);
  const shift = tf.sub(beta, tf.mul(perChannel(mean), scale));
  return tf.add(tf.mul(x, scale), shift);
}

/** LayerNorm over the last axis without learned affine (adaLN supplies scale and shift). */
export function layerNormNoAffine(x: tf.Tensor, eps = 1e-6): tf.Tensor {
  const { mean, variance } = tf.moments(x, -1, true);
  return tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, eps)));
}

export const silu = (x: tf.Tensor): tf.Tensor => tf.mul(x, tf.sigmoid(x));

/** GELU, tanh approximation (tfjs has no fused GELU kernel). */
export function gelu(x: tf.Tensor): tf.Tensor {
  const inner = tf.mul(Math.sqrt(2 / Math.PI), tf.add(x, tf.mul(0.044715, tf.pow(x, 3))));
  return tf.mul(tf.mul(0.5, x), tf.add(1, tf.tanh(inner)));
}

/** Inverted dropout with masks from the context's seeded generator (identity outside training). */
export function dropout(ctx: ForwardContext, x: tf.Tensor): tf.Tensor {
  if (!ctx.training || ctx.dropout === 0) return x;
  if (!ctx.rng) throw new Error('training with dropout needs CallOptions.rng');
  return tf.mul(x, ctx.rng.dropoutMask(x.shape, ctx.dropout));
}
