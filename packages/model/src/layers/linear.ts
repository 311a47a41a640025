import type { Value } from '../ops';
import { countFlops, opsOf, param, type ForwardContext } from './context';

export interface LinearOptions {
  /** Scale of the initial weights relative to 1/sqrt(fan-in); 0 initialises to zero. */
  initScale?: number;
  bias?: boolean;
}

/** y = x W + b over the last axis of a 2-D or 3-D input. */
export function linear<V extends Value>(ctx: ForwardContext, name: string, x: V, out: number, opts: LinearOptions = {}): V {
  const inDim = x.shape[x.shape.length - 1];
  const scale = opts.initScale ?? 1;
  const w = param(ctx, `${name}.weight`, [inDim, out], scale === 0 ? { kind: 'zeros' } : { kind: 'normal', std: scale / Math.sqrt(inDim) });
  const rowsPerImage = x.shape.slice(1, -1).reduce((a, b) => a * b, 1);
  countFlops(ctx, 2 * inDim * out * rowsPerImage);
  const b = opts.bias === false ? null : param(ctx, `${name}.bias`, [out], { kind: 'zeros' });
  return opsOf(ctx).linear(x, w, b) as V;
}
