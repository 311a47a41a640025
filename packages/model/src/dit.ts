import * as tf from '@tensorflow/tfjs';
import type { DiTConfig } from './config';
import { conditioningEmbedding, type EmbeddingInputs } from './conditioning';
import { opsOf, type ForwardContext } from './layers/context';
import { linear } from './layers/linear';
import { selfAttention } from './layers/attention';
import type { Value } from './ops';
import type { Backbone } from './backbone';

/**
 * A small LightningDiT-like transformer: patch tokens with 2-D sin-cos positions computed for
 * whatever grid a stage has (so one set of weights serves every resolution), adaLN-Zero blocks
 * conditioned on noise, class and resolution embeddings, the condition concatenated to the input
 * before the patch embedding. Differences from LightningDiT, to stay small: LayerNorm + GELU MLP
 * (not RMSNorm + SwiGLU), absolute positions (not RoPE).
 */
export class DiT implements Backbone {
  constructor(readonly config: DiTConfig) {}

  forward(ctx: ForwardContext, x: Value, emb: EmbeddingInputs): Value {
    const ops = opsOf(ctx);
    const c = this.config;
    const [, hh, ww] = x.shape;
    const p = c.patchSize;
    const gh = hh / p;
    const gw = ww / p;
    const d = c.hiddenSize;
    const cond = conditioningEmbedding(ctx, emb, {
      featureDim: d,
      embedDim: d,
      noiseEmbedding: 'positional',
      numClasses: c.numClasses,
      numStages: c.stageResolutions.length,
      resolutionEmbedding: c.resolutionEmbedding,
      augmentationEmbedding: c.augmentationEmbedding,
      conditionInput: c.conditionInput,
    });

    const positions = ops.constant(sinCos2dValues(gh, gw, d), [1, gh * gw, d]);
    let tokens = ops.add(linear(ctx, 'patch_embed', ops.patchify(x, p), d), positions);
    for (let b = 0; b < c.depth; b++) tokens = this.block(ctx, `blocks.${b}`, tokens, cond);

    const [shift, scale] = this.modulation(ctx, 'final.adaLN', cond, 2);
    const out = linear(ctx, 'final.linear', ops.modulate(ops.layerNorm(tokens, 1e-6), shift, scale), p * p * c.channels, { initScale: 0 });
    return ops.unpatchify(out, gh, gw, p, c.channels);
  }

  private block(ctx: ForwardContext, name: string, tokens: Value, cond: Value): Value {
    const ops = opsOf(ctx);
    const c = this.config;
    const [shiftA, scaleA, gateA, shiftM, scaleM, gateM] = this.modulation(ctx, `${name}.adaLN`, cond, 6);
    const attn = selfAttention(ctx, `${name}.attn`, ops.modulate(ops.layerNorm(tokens, 1e-6), shiftA, scaleA), c.heads);
    const h = ops.gatedAdd(tokens, gateA, attn);
    const hidden = Math.round(c.hiddenSize * c.mlpRatio);
    const mlpIn = ops.modulate(ops.layerNorm(h, 1e-6), shiftM, scaleM);
    const mlp = linear(ctx, `${name}.mlp.fc2`, ops.gelu(linear(ctx, `${name}.mlp.fc1`, mlpIn, hidden)), c.hiddenSize);
    return ops.gatedAdd(h, gateM, mlp);
  }

  // adaLN-Zero: the modulation is initialised to zero, so every block starts as the identity.
  private modulation(ctx: ForwardContext, name: string, cond: Value, parts: number): Value[] {
    const ops = opsOf(ctx);
    return ops.split(linear(ctx, name, ops.silu(cond), parts * this.config.hiddenSize, { initScale: 0 }), parts);
  }
}

/** 2-D sin-cos position embedding values [gh*gw, d] for any grid (half the channels per axis). */
function sinCos2dValues(gh: number, gw: number, d: number): Float32Array {
  const quarter = d / 4;
  const omega = Array.from({ length: quarter }, (_, i) => 1 / Math.pow(10000, i / quarter));
  const out = new Float32Array(gh * gw * d);
  for (let i = 0; i < gh; i++)
    for (let j = 0; j < gw; j++) {
      const base = (i * gw + j) * d;
      for (let k = 0; k < quarter; k++) {
        out[base + k] = Math.sin(j * omega[k]);
        out[base + quarter + k] = Math.cos(j * omega[k]);
        out[base + 2 * quarter + k] = Math.sin(i * omega[k]);
        out[base + 3 * quarter + k] = Math.cos(i * omega[k]);
      }
    }
  return out;
}

/** 2-D sin-cos position embedding [1, gh*gw, d] for any grid (half the channels per axis). */
export function sinCos2d(gh: number, gw: number, d: number): tf.Tensor3D {
  return tf.tensor3d(sinCos2dValues(gh, gw, d), [1, gh * gw, d]);
}
