import * as tf from '@tensorflow/tfjs';
import { countFlops, type ForwardContext } from './context';

export interface LinearOptions {
  /** Scale of the initial weights relative to 1/sqrt(fan-in); 0 initialises to zero. */
  initScale?: number;
  bias?: boolean;
}

/** y = x W + b over the last axis of a 2-D or 3-D input. */
export function linear(ctx: ForwardContext, name: string, x: tf.Tensor, out: number, opts: LinearOptions = {}): tf.Tensor {
  const inDim = x.shape[x.shape.length - 1];
  const scale = opts.initScale ?? 1;
  const w = ctx.store.param(`${name}.weight`, [inDim, out], scale === 0 ? { kind: 'zeros' } : { kind: 'normal', std: scale / Math.sqrt(inDim) });
  const rows = x.size / inDim;
  countFlops(ctx, (2 * inDim * out * rows) / x.shape[0]);
  const flat = tf.reshape(x, [rows, inDim]);
  let y = tf.matMul(flat, w);
  if (opts.bias !== false) y = tf.add(y, ctx.store.param(`${name}.bias`, [out], { kind: 'zeros' }));
  return tf.reshape(y, [...x.shape.slice(0, -1), out]);
}
