import * as tf from '@tensorflow/tfjs';
import type { ForwardContext } from './context';

/** GroupNorm over NHWC with a learned per-channel scale and shift. */
export function groupNorm(ctx: ForwardContext, name: string, x: tf.Tensor4D, groups: number, eps = 1e-5): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  const g = Math.min(groups, c);
  const grouped = tf.reshape(x, [n, h, w, g, c / g]);
  const { mean, variance } = tf.moments(grouped, [1, 2, 4], true);
  const normed = tf.reshape(tf.mul(tf.sub(grouped, mean), tf.rsqrt(tf.add(variance, eps))), [n, h, w, c]);
  const gamma = ctx.store.param(`${name}.weight`, [c], { kind: 'ones' });
  const beta = ctx.store.param(`${name}.bias`, [c], { kind: 'zeros' });
  return tf.add(tf.mul(normed, gamma), beta);
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
