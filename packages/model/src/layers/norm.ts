import * as tf from '@tensorflow/tfjs';
import type { Value } from '../ops';
import { tfjsOps } from '../tfjs-ops';
import { opsOf, param, type ForwardContext } from './context';

/** GroupNorm over an NHWC feature map with a learned per-channel scale and shift. */
export function groupNorm<V extends Value>(ctx: ForwardContext, name: string, x: V, groups: number, eps = 1e-5): V {
  const c = x.shape[3];
  const gamma = param(ctx, `${name}.weight`, [c], { kind: 'ones' });
  const beta = param(ctx, `${name}.bias`, [c], { kind: 'zeros' });
  return opsOf(ctx).groupNorm(x, gamma, beta, Math.min(groups, c), eps) as V;
}

// The activations below take tfjs tensors; networks written against the op set call ops.silu etc.

/** LayerNorm over the last axis without learned affine (adaLN supplies scale and shift). */
export const layerNormNoAffine = (x: tf.Tensor, eps = 1e-6): tf.Tensor => tfjsOps.layerNorm(x, eps) as tf.Tensor;

export const silu = (x: tf.Tensor): tf.Tensor => tfjsOps.silu(x) as tf.Tensor;

/** GELU, tanh approximation (tfjs has no fused GELU kernel). */
export const gelu = (x: tf.Tensor): tf.Tensor => tfjsOps.gelu(x) as tf.Tensor;

/** Inverted dropout with masks from the context's seeded generator (identity outside training). */
export function dropout<V extends Value>(ctx: ForwardContext, x: V): V {
  if (!ctx.training || ctx.dropout === 0) return x;
  if (!ctx.rng) throw new Error('training with dropout needs CallOptions.rng');
  return opsOf(ctx).multiply(x, ctx.rng.dropoutMask(x.shape as number[], ctx.dropout)) as V;
}
