import type { UNetConfig } from './config';
import { conditioningEmbedding, type EmbeddingInputs } from './conditioning';
import { opsOf, type ForwardContext } from './layers/context';
import { conv2d } from './layers/conv2d';
import { linear } from './layers/linear';
import { selfAttention } from './layers/attention';
import { dropout, groupNorm } from './layers/norm';
import type { Value } from './ops';
import type { Backbone } from './backbone';

const SKIP_SCALE = Math.SQRT1_2; // EDM's skip_scale: keeps activations' variance from growing with depth

/**
 * The unified multi-resolution UNet (EDM DDPM++-style). Level l runs at R / 2^l with
 * baseChannels * channelMult[l] channels. A stage at resolution r enters level l_r = log2(R / r)
 * through its own stem and leaves through its own head; every block at and below l_r is shared
 * by all stages, so a call at r never touches the levels above it.
 */
export class UNet implements Backbone {
  constructor(readonly config: UNetConfig) {}

  private width(level: number): number {
    return this.config.baseChannels * this.config.channelMult[level];
  }

  forward(ctx: ForwardContext, x: Value, emb: EmbeddingInputs, resolution: number): Value {
    const ops = opsOf(ctx);
    const c = this.config;
    const levels = c.channelMult.length;
    const entry = Math.round(Math.log2(c.resolution / resolution));
    const embedDim = 4 * c.baseChannels;
    const e = conditioningEmbedding(ctx, emb, {
      featureDim: c.baseChannels,
      embedDim,
      noiseEmbedding: c.noiseEmbedding,
      numClasses: c.numClasses,
      numStages: c.stageResolutions.length,
      resolutionEmbedding: c.resolutionEmbedding,
      augmentationEmbedding: c.augmentationEmbedding,
      conditionInput: c.conditionInput,
    });

    let h = conv2d(ctx, `stem.r${resolution}`, x, this.width(entry));
    const skips: Value[] = [h];
    for (let l = entry; l < levels; l++) {
      const res = c.resolution >> l;
      for (let b = 0; b < c.numResBlocks; b++) {
        h = this.block(ctx, `enc.l${l}.b${b}`, h, e, this.width(l), res);
        skips.push(h);
      }
      if (l < levels - 1) {
        h = conv2d(ctx, `enc.l${l}.down`, h, this.width(l + 1), { stride: 2 });
        skips.push(h);
      }
    }
    h = this.resBlock(ctx, 'mid.b0', h, e, this.width(levels - 1));
    h = this.attention(ctx, 'mid.attn', h);
    h = this.resBlock(ctx, 'mid.b1', h, e, this.width(levels - 1));
    for (let l = levels - 1; l >= entry; l--) {
      const res = c.resolution >> l;
      for (let b = 0; b <= c.numResBlocks; b++) {
        const skip = skips.pop()!;
        h = this.block(ctx, `dec.l${l}.b${b}`, ops.concatChannels(h, skip), e, this.width(l), res);
      }
      if (l > entry) h = conv2d(ctx, `dec.l${l}.up`, ops.upsample2x(h), this.width(l - 1));
    }
    const out = ops.silu(groupNorm(ctx, `head.r${resolution}.norm`, h, c.groupNormGroups));
    return conv2d(ctx, `head.r${resolution}.conv`, out, c.channels, { initScale: 0 });
  }

  private block(ctx: ForwardContext, name: string, x: Value, e: Value, out: number, res: number): Value {
    const h = this.resBlock(ctx, name, x, e, out);
    return this.config.attentionResolutions.includes(res) ? this.attention(ctx, `${name}.attn`, h) : h;
  }

  private resBlock(ctx: ForwardContext, name: string, x: Value, e: Value, out: number): Value {
    const ops = opsOf(ctx);
    const g = this.config.groupNormGroups;
    let h = conv2d(ctx, `${name}.conv0`, ops.silu(groupNorm(ctx, `${name}.norm0`, x, g)), out);
    h = ops.addChannelBias(h, linear(ctx, `${name}.affine`, e, out));
    h = ops.silu(groupNorm(ctx, `${name}.norm1`, h, g));
    h = conv2d(ctx, `${name}.conv1`, dropout(ctx, h), out, { initScale: 1e-5 });
    const skip = x.shape[3] === out ? x : conv2d(ctx, `${name}.skip`, x, out, { kernel: 1 });
    return ops.scale(ops.add(h, skip), SKIP_SCALE);
  }

  private attention(ctx: ForwardContext, name: string, x: Value): Value {
    const ops = opsOf(ctx);
    const [, hh, ww] = x.shape;
    const tokens = ops.toTokens(groupNorm(ctx, `${name}.norm`, x, this.config.groupNormGroups));
    const attended = ops.fromTokens(selfAttention(ctx, name, tokens, this.config.attentionHeads), hh, ww);
    return ops.scale(ops.add(x, attended), SKIP_SCALE);
  }
}
