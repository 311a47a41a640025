import type { Value } from '../ops';
import { countFlops, opsOf, type ForwardContext } from './context';
import { linear } from './linear';

/**
 * Multi-head self-attention over tokens [N, T, D]: q, k, v projections, softmax(q k^T / sqrt(d)) v,
 * and an output projection initialised to zero so a new block starts as the identity path.
 */
export function selfAttention<V extends Value>(ctx: ForwardContext, name: string, tokens: V, heads: number): V {
  const [, t, d] = tokens.shape;
  const qkv = linear(ctx, `${name}.qkv`, tokens, 3 * d);
  countFlops(ctx, 2 * 2 * t * t * d);
  return linear(ctx, `${name}.proj`, opsOf(ctx).attention(qkv, heads), d, { initScale: 0 }) as V;
}
