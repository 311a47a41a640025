import * as tf from '@tensorflow/tfjs';
import { countFlops, type ForwardContext } from './context';

export interface ConvOptions {
  kernel?: number;
  stride?: 1 | 2;
  /** Scale of the initial weights relative to 1/sqrt(fan-in); 0 initialises to zero. */
  initScale?: number;
}

/** A "same"-padded convolution with bias, NHWC. */
export function conv2d(ctx: ForwardContext, name: string, x: tf.Tensor4D, out: number, opts: ConvOptions = {}): tf.Tensor4D {
  const k = opts.kernel ?? 3;
  const stride = opts.stride ?? 1;
  const cin = x.shape[3];
  const fanIn = k * k * cin;
  const scale = opts.initScale ?? 1;
  const w = ctx.store.param(`${name}.weight`, [k, k, cin, out], scale === 0 ? { kind: 'zeros' } : { kind: 'normal', std: scale / Math.sqrt(fanIn) });
  const b = ctx.store.param(`${name}.bias`, [out], { kind: 'zeros' });
  const y = tf.conv2d(x, w as tf.Tensor4D, stride, 'same');
  countFlops(ctx, 2 * y.shape[1] * y.shape[2] * fanIn * out);
  return tf.add(y, b);
}
