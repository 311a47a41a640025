import * as tf from '@tensorflow/tfjs';
import { conv2d, countFlops, groupNorm, linear, OnnxGraph, OnnxOps, opsOf, silu, type ForwardContext, type ParamStore, type Value } from '@lowdiff/model';
import type { VaeArchitecture } from './vae-architecture';

// diffusers builds every VAE norm with eps 1e-6 (not torch's default 1e-5).
const EPS = 1e-6;

/**
 * diffusers' Downsample2D with a conv: pad right and bottom by one, then a 3x3 stride-2 "valid"
 * conv. For even sizes this equals tf's "same" padding, but not for odd ones, so it is explicit.
 */
export function downsampleConv(ctx: ForwardContext, name: string, x: tf.Tensor4D, out: number): tf.Tensor4D {
  const cin = x.shape[3];
  const fanIn = 9 * cin;
  const w = ctx.store.param(`${name}.weight`, [3, 3, cin, out], { kind: 'normal', std: 1 / Math.sqrt(fanIn) });
  const b = ctx.store.param(`${name}.bias`, [out], { kind: 'zeros' });
  const padded = tf.pad(x, [
    [0, 0],
    [0, 1],
    [0, 1],
    [0, 0],
  ]);
  const y = tf.conv2d(padded, w as tf.Tensor4D, 2, 'valid');
  countFlops(ctx, 2 * y.shape[1] * y.shape[2] * fanIn * out);
  return tf.add(y, b);
}

/** ResnetBlock2D without a time embedding: norm1-SiLU-conv1-norm2-SiLU-conv2 plus a (1x1) shortcut. */
export function resnetBlock<V extends Value>(ctx: ForwardContext, name: string, x: V, out: number, groups: number): V {
  const ops = opsOf(ctx);
  let h = ops.silu(groupNorm(ctx, `${name}.norm1`, x, groups, EPS));
  h = conv2d(ctx, `${name}.conv1`, h, out);
  h = ops.silu(groupNorm(ctx, `${name}.norm2`, h, groups, EPS));
  h = conv2d(ctx, `${name}.conv2`, h, out);
  const skip = x.shape[3] === out ? x : conv2d(ctx, `${name}.conv_shortcut`, x, out, { kernel: 1 });
  return ops.add(skip, h) as V;
}

/**
 * The VAE's single-head spatial self-attention (diffusers `Attention` with a group norm and a
 * residual connection) under its diffusers names: group_norm, to_q, to_k, to_v, to_out.0.
 * @lowdiff/model's selfAttention fuses q/k/v into one weight, which would not map to these files.
 */
export function attentionBlock<V extends Value>(ctx: ForwardContext, name: string, x: V, groups: number): V {
  const ops = opsOf(ctx);
  const [, h, w, c] = x.shape;
  const tokens = ops.toTokens(groupNorm(ctx, `${name}.group_norm`, x, groups, EPS));
  const [q, k, v] = ['to_q', 'to_k', 'to_v'].map((p) => linear(ctx, `${name}.${p}`, tokens, c));
  countFlops(ctx, 2 * 2 * (h * w) ** 2 * c);
  const out = linear(ctx, `${name}.to_out.0`, ops.attention(q, k, v, 1), c);
  return ops.add(x, ops.fromTokens(out, h, w)) as V;
}

function midBlock<V extends Value>(ctx: ForwardContext, name: string, x: V, a: VaeArchitecture): V {
  const c = x.shape[3];
  let h = resnetBlock(ctx, `${name}.resnets.0`, x, c, a.normNumGroups);
  if (a.midBlockAddAttention) h = attentionBlock(ctx, `${name}.attentions.0`, h, a.normNumGroups);
  return resnetBlock(ctx, `${name}.resnets.1`, h, c, a.normNumGroups);
}

/** Images [N, H, W, inChannels] -> posterior moments [N, H/f, W/f, 2 * latentChannels] (mean, then logvar). */
export function encoderForward(ctx: ForwardContext, a: VaeArchitecture, x: tf.Tensor4D): tf.Tensor4D {
  const boc = a.blockOutChannels;
  const last = boc.length - 1;
  let h = conv2d(ctx, 'encoder.conv_in', x, boc[0]);
  boc.forEach((out, i) => {
    for (let j = 0; j < a.layersPerBlock; j++) h = resnetBlock(ctx, `encoder.down_blocks.${i}.resnets.${j}`, h, out, a.normNumGroups);
    if (i < last) h = downsampleConv(ctx, `encoder.down_blocks.${i}.downsamplers.0.conv`, h, out);
  });
  h = midBlock(ctx, 'encoder.mid_block', h, a);
  h = silu(groupNorm(ctx, 'encoder.conv_norm_out', h, a.normNumGroups, EPS)) as tf.Tensor4D;
  h = conv2d(ctx, 'encoder.conv_out', h, 2 * a.latentChannels);
  if (a.useQuantConv) h = conv2d(ctx, 'quant_conv', h, 2 * a.latentChannels, { kernel: 1 });
  return h;
}

/**
 * Raw latents [N, h, w, latentChannels] -> images [N, h*f, w*f, outChannels] (unclipped), written
 * against the op set, so the decoder also exports to ONNX (`decoderOnnx`).
 */
export function decoderForward<V extends Value>(ctx: ForwardContext, a: VaeArchitecture, z: V): V {
  const ops = opsOf(ctx);
  const boc = a.blockOutChannels;
  const last = boc.length - 1;
  let h: Value = a.usePostQuantConv ? conv2d(ctx, 'post_quant_conv', z, a.latentChannels, { kernel: 1 }) : z;
  h = conv2d(ctx, 'decoder.conv_in', h, boc[last]);
  h = midBlock(ctx, 'decoder.mid_block', h, a);
  [...boc].reverse().forEach((out, i) => {
    for (let j = 0; j <= a.layersPerBlock; j++) h = resnetBlock(ctx, `decoder.up_blocks.${i}.resnets.${j}`, h, out, a.normNumGroups);
    // Exact 2x nearest (PyTorch's F.interpolate(mode='nearest')) repeats each pixel.
    if (i < last) h = conv2d(ctx, `decoder.up_blocks.${i}.upsamplers.0.conv`, ops.upsample2x(h), out);
  });
  h = ops.silu(groupNorm(ctx, 'decoder.conv_norm_out', h, a.normNumGroups, EPS));
  return conv2d(ctx, 'decoder.conv_out', h, a.outChannels) as V;
}

/**
 * The decoder as an ONNX graph for latents of `size` x `size`: input `latents` [N, size, size,
 * latentChannels] (raw, before normalisation), output `images` [N, size*f, size*f, outChannels]
 * (unclipped), as `decodeRaw` computes them.
 */
export function decoderOnnx(store: ParamStore, a: VaeArchitecture, size: number): Uint8Array {
  const graph = new OnnxGraph('vae_decoder');
  const ops = new OnnxOps(graph);
  const z = ops.input('latents', [1, size, size, a.latentChannels], 'map');
  ops.output('images', decoderForward({ store, ops, training: false, dropout: 0 }, a, z));
  return graph.encode();
}

/** Splits moments into (mean, logvar), with logvar clamped to [-30, 20] as diffusers does. */
export function splitMoments(moments: tf.Tensor4D, latentChannels: number): { mean: tf.Tensor4D; logvar: tf.Tensor4D } {
  const [mean, logvar] = tf.split(moments, [latentChannels, latentChannels], 3) as [tf.Tensor4D, tf.Tensor4D];
  return { mean, logvar: tf.clipByValue(logvar, -30, 20) };
}
