import * as tf from '@tensorflow/tfjs';
import type { DiTConfig } from './config';
import { conditioningEmbedding, type EmbeddingInputs } from './conditioning';
import type { ForwardContext } from './layers/context';
import { linear } from './layers/linear';
import { selfAttention } from './layers/attention';
import { gelu, layerNormNoAffine, silu } from './layers/norm';
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

  forward(ctx: ForwardContext, x: tf.Tensor4D, emb: EmbeddingInputs): tf.Tensor4D {
    const c = this.config;
    const [n, hh, ww, cin] = x.shape;
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

    const patches = tf.reshape(tf.transpose(tf.reshape(x, [n, gh, p, gw, p, cin]), [0, 1, 3, 2, 4, 5]), [n, gh * gw, p * p * cin]);
    let tokens = tf.add(linear(ctx, 'patch_embed', patches, d), sinCos2d(gh, gw, d)) as tf.Tensor3D;
    for (let b = 0; b < c.depth; b++) tokens = this.block(ctx, `blocks.${b}`, tokens, cond);

    const [shift, scale] = this.modulation(ctx, 'final.adaLN', cond, 2);
    const out = linear(ctx, 'final.linear', modulate(layerNormNoAffine(tokens), shift, scale), p * p * c.channels, { initScale: 0 });
    return tf.reshape(tf.transpose(tf.reshape(out, [n, gh, gw, p, p, c.channels]), [0, 1, 3, 2, 4, 5]), [n, hh, ww, c.channels]);
  }

  private block(ctx: ForwardContext, name: string, tokens: tf.Tensor3D, cond: tf.Tensor2D): tf.Tensor3D {
    const c = this.config;
    const [shiftA, scaleA, gateA, shiftM, scaleM, gateM] = this.modulation(ctx, `${name}.adaLN`, cond, 6);
    const attn = selfAttention(ctx, `${name}.attn`, modulate(layerNormNoAffine(tokens), shiftA, scaleA) as tf.Tensor3D, c.heads);
    let h = tf.add(tokens, tf.mul(tf.expandDims(gateA, 1), attn));
    const hidden = Math.round(c.hiddenSize * c.mlpRatio);
    const mlpIn = modulate(layerNormNoAffine(h), shiftM, scaleM);
    const mlp = linear(ctx, `${name}.mlp.fc2`, gelu(linear(ctx, `${name}.mlp.fc1`, mlpIn, hidden)), c.hiddenSize);
    h = tf.add(h, tf.mul(tf.expandDims(gateM, 1), mlp));
    return h as tf.Tensor3D;
  }

  // adaLN-Zero: the modulation is initialised to zero, so every block starts as the identity.
  private modulation(ctx: ForwardContext, name: string, cond: tf.Tensor2D, parts: number): tf.Tensor2D[] {
    const m = linear(ctx, name, silu(cond), parts * this.config.hiddenSize, { initScale: 0 });
    return tf.split(m, parts, 1) as tf.Tensor2D[];
  }
}

function modulate(x: tf.Tensor, shift: tf.Tensor2D, scale: tf.Tensor2D): tf.Tensor {
  return tf.add(tf.mul(x, tf.add(1, tf.expandDims(scale, 1))), tf.expandDims(shift, 1));
}

/** 2-D sin-cos position embedding [1, gh*gw, d] for any grid (half the channels per axis). */
export function sinCos2d(gh: number, gw: number, d: number): tf.Tensor3D {
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
  return tf.tensor3d(out, [1, gh * gw, d]);
}
