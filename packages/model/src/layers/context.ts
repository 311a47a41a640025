import type { Ops, Value } from '../ops';
import type { Init, ParamStore } from '../param-store';
import { tfjsOps } from '../tfjs-ops';

/** Where dropout masks come from: `Rng`, or anything that draws them the same way. */
export interface DropoutSource {
  /** A mask of `shape` (0, or 1 / (1 - rate)), as a value of the interpreter the layers run on. */
  dropoutMask(shape: number[], rate: number): Value;
}

/** What every layer needs during one forward pass. */
export interface ForwardContext {
  store: ParamStore;
  /** The interpreter of the op set; TensorFlow.js when absent. */
  ops?: Ops;
  training: boolean;
  dropout: number;
  rng?: DropoutSource;
  /** When set, layers add their FLOPs (per image, multiply-add = 2) here. */
  flops?: { total: number };
}

export function countFlops(ctx: ForwardContext, flopsPerImage: number): void {
  if (ctx.flops) ctx.flops.total += flopsPerImage;
}

export function opsOf(ctx: ForwardContext): Ops {
  return ctx.ops ?? tfjsOps;
}

/** A named weight of the store, as a value of the context's interpreter. */
export function param(ctx: ForwardContext, name: string, shape: number[], init: Init, trainable = true): Value {
  return opsOf(ctx).weight(ctx.store.param(name, shape, init, trainable));
}
