import type { Value } from '../ops';
import { countFlops, opsOf, param, type ForwardContext } from './context';

export interface ConvOptions {
  kernel?: number;
  stride?: 1 | 2;
  /** Scale of the initial weights relative to 1/sqrt(fan-in); 0 initialises to zero. */
  initScale?: number;
}

/** A "same"-padded convolution with bias over an NHWC feature map. */
export function conv2d<V extends Value>(ctx: ForwardContext, name: string, x: V, out: number, opts: ConvOptions = {}): V {
  const k = opts.kernel ?? 3;
  const stride = opts.stride ?? 1;
  const cin = x.shape[3];
  const fanIn = k * k * cin;
  const scale = opts.initScale ?? 1;
  const w = param(ctx, `${name}.weight`, [k, k, cin, out], scale === 0 ? { kind: 'zeros' } : { kind: 'normal', std: scale / Math.sqrt(fanIn) });
  const b = param(ctx, `${name}.bias`, [out], { kind: 'zeros' });
  countFlops(ctx, 2 * Math.ceil(x.shape[1] / stride) * Math.ceil(x.shape[2] / stride) * fanIn * out);
  return opsOf(ctx).conv2d(x, w, b, stride) as V;
}
