import type { EmbeddingInputs } from './conditioning';
import type { ForwardContext } from './layers/context';
import type { Value } from './ops';

/** The raw network F of EDM's D = c_skip x + c_out F(c_in x, c_noise): a UNet or a DiT. */
export interface Backbone {
  /** `x` is c_in-scaled noisy input with the condition channels already concatenated. */
  forward(ctx: ForwardContext, x: Value, emb: EmbeddingInputs, resolution: number): Value;
}
