import type { Value } from '../ops';
import { countFlops, opsOf, type ForwardContext } from './context';
import { linear } from './linear';

/**
 * Multi-head self-attention over tokens [N, T, D]: q, k, v projections, softmax(q k^T / sqrt(d)) v,
 * and an output projection initialised to zero so a new block starts as the identity path.
 */
export function selfAttention<V extends Value>(ctx: ForwardContext, name: string, tokens: V, heads: number): V {
  const [, t, d] = tokens.shape;
  const ops = opsOf(ctx);
  const [q, k, v] = ops.split(linear(ctx, `${name}.qkv`, tokens, 3 * d), 3);
  countFlops(ctx, 2 * 2 * t * t * d);
  return linear(ctx, `${name}.proj`, ops.attention(q, k, v, heads), d, { initScale: 0 }) as V;
}
