import * as tf from '@tensorflow/tfjs';
import { countFlops, type ForwardContext } from './context';
import { linear } from './linear';

/**
 * Multi-head self-attention over tokens [N, T, D]: q, k, v projections, softmax(q k^T / sqrt(d)) v,
 * and an output projection initialised to zero so a new block starts as the identity path.
 */
export function selfAttention(ctx: ForwardContext, name: string, tokens: tf.Tensor3D, heads: number): tf.Tensor3D {
  const [n, t, d] = tokens.shape;
  const dh = d / heads;
  const qkv = linear(ctx, `${name}.qkv`, tokens, 3 * d);
  // [N, T, 3, H, dh] -> three [N*H, T, dh]
  const split = tf.transpose(tf.reshape(qkv, [n, t, 3, heads, dh]), [2, 0, 3, 1, 4]);
  const [q, k, v] = tf.unstack(split).map((p) => tf.reshape(p, [n * heads, t, dh]) as tf.Tensor3D);
  const weights = tf.softmax(tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(dh)));
  countFlops(ctx, 2 * 2 * t * t * d);
  const attended = tf.reshape(tf.transpose(tf.reshape(tf.matMul(weights, v), [n, heads, t, dh]), [0, 2, 1, 3]), [n, t, d]);
  return linear(ctx, `${name}.proj`, attended, d, { initScale: 0 }) as tf.Tensor3D;
}
