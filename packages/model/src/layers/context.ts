import type { Rng } from '@lowdiff/backend';
import type { ParamStore } from '../param-store';

/** What every layer needs during one forward pass. */
export interface ForwardContext {
  store: ParamStore;
  training: boolean;
  dropout: number;
  rng?: Rng;
  /** When set, layers add their FLOPs (per image, multiply-add = 2) here. */
  flops?: { total: number };
}

export function countFlops(ctx: ForwardContext, flopsPerImage: number): void {
  if (ctx.flops) ctx.flops.total += flopsPerImage;
}
