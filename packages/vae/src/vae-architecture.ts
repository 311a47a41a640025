import { z } from 'zod';

const positiveInt = z.number().int('must be an integer').min(1, 'must be >= 1');

/**
 * The shape of a diffusers `AutoencoderKL` (Stable Diffusion's VAE), the one network behind both
 * {@link AutoencoderKL} and the small trainable {@link KlAutoencoder}. Level i of the encoder has
 * `blockOutChannels[i]` channels and `layersPerBlock` residual blocks; every level but the last
 * halves the resolution, so the downsampling factor is 2^(levels - 1). The decoder mirrors it
 * with `layersPerBlock + 1` blocks per level and nearest-neighbour upsampling + conv.
 */
export const vaeArchitectureFields = {
    inChannels: positiveInt.default(3),
    outChannels: positiveInt.default(3),
    blockOutChannels: z.array(positiveInt).min(1, 'needs at least one level').default([128, 256, 512, 512]),
    layersPerBlock: positiveInt.default(2),
    latentChannels: positiveInt.default(4),
    normNumGroups: positiveInt.default(32),
    /** Self-attention between the two residual blocks of each mid block. */
    midBlockAddAttention: z.boolean().default(true),
    /** 1x1 conv on the encoder's moments (SD has it). */
    useQuantConv: z.boolean().default(true),
    /** 1x1 conv on the latent before the decoder (SD has it). */
    usePostQuantConv: z.boolean().default(true),
};

/** GroupNorm needs every width divisible by the group count. */
export function checkGroups(a: { blockOutChannels: number[]; normNumGroups: number }, ctx: z.RefinementCtx, path = ['blockOutChannels']): void {
  a.blockOutChannels.forEach((c, i) => {
    if (c % a.normNumGroups !== 0) ctx.addIssue({ code: 'custom', path: [...path, i], message: `${c} is not divisible by the group count (${a.normNumGroups})` });
  });
}

export const VaeArchitectureSchema = z.object(vaeArchitectureFields).strict().superRefine((a, ctx) => checkGroups(a, ctx));
export type VaeArchitecture = z.output<typeof VaeArchitectureSchema>;

/** How a stored weight maps between PyTorch's layout and ours. */
export type WeightLayout =
  /** PyTorch [out, in, kh, kw] <-> tfjs [kh, kw, in, out]. */
  | 'conv'
  /** PyTorch [out, in] (or a 1x1 conv's [out, in, 1, 1]) <-> [in, out]. */
  | 'linear'
  /** Biases and norm scales: the same everywhere. */
  | 'vector';

export interface WeightSpec {
  /** Shape in our (tfjs) layout. */
  shape: number[];
  layout: WeightLayout;
}

/** Our [kh, kw, in, out] / [in, out] shape -> PyTorch's [out, in, kh, kw] / [out, in]. */
export function torchShape(spec: WeightSpec): number[] {
  const s = spec.shape;
  if (spec.layout === 'conv') return [s[3], s[2], s[0], s[1]];
  if (spec.layout === 'linear') return [s[1], s[0]];
  return [...s];
}

/**
 * Every weight of the architecture by its diffusers name, in our layout. The forward pass
 * (vae-network.ts) asks its ParamStore for exactly these; a test keeps the two in step.
 */
export function vaeWeightSpecs(a: VaeArchitecture): Map<string, WeightSpec> {
  const specs = new Map<string, WeightSpec>();
  const conv = (name: string, cin: number, cout: number, k: number) => {
    specs.set(`${name}.weight`, { shape: [k, k, cin, cout], layout: 'conv' });
    specs.set(`${name}.bias`, { shape: [cout], layout: 'vector' });
  };
  const linear = (name: string, c: number) => {
    specs.set(`${name}.weight`, { shape: [c, c], layout: 'linear' });
    specs.set(`${name}.bias`, { shape: [c], layout: 'vector' });
  };
  const norm = (name: string, c: number) => {
    specs.set(`${name}.weight`, { shape: [c], layout: 'vector' });
    specs.set(`${name}.bias`, { shape: [c], layout: 'vector' });
  };
  const resnet = (name: string, cin: number, cout: number) => {
    norm(`${name}.norm1`, cin);
    conv(`${name}.conv1`, cin, cout, 3);
    norm(`${name}.norm2`, cout);
    conv(`${name}.conv2`, cout, cout, 3);
    if (cin !== cout) conv(`${name}.conv_shortcut`, cin, cout, 1);
  };
  const mid = (name: string, c: number) => {
    resnet(`${name}.resnets.0`, c, c);
    if (a.midBlockAddAttention) {
      norm(`${name}.attentions.0.group_norm`, c);
      for (const p of ['to_q', 'to_k', 'to_v', 'to_out.0']) linear(`${name}.attentions.0.${p}`, c);
    }
    resnet(`${name}.resnets.1`, c, c);
  };
  const boc = a.blockOutChannels;
  const last = boc.length - 1;
  const L = a.latentChannels;

  conv('encoder.conv_in', a.inChannels, boc[0], 3);
  let c = boc[0];
  boc.forEach((out, i) => {
    for (let j = 0; j < a.layersPerBlock; j++) {
      resnet(`encoder.down_blocks.${i}.resnets.${j}`, c, out);
      c = out;
    }
    if (i < last) conv(`encoder.down_blocks.${i}.downsamplers.0.conv`, out, out, 3);
  });
  mid('encoder.mid_block', boc[last]);
  norm('encoder.conv_norm_out', boc[last]);
  conv('encoder.conv_out', boc[last], 2 * L, 3);
  if (a.useQuantConv) conv('quant_conv', 2 * L, 2 * L, 1);

  if (a.usePostQuantConv) conv('post_quant_conv', L, L, 1);
  conv('decoder.conv_in', L, boc[last], 3);
  mid('decoder.mid_block', boc[last]);
  c = boc[last];
  [...boc].reverse().forEach((out, i) => {
    for (let j = 0; j <= a.layersPerBlock; j++) {
      resnet(`decoder.up_blocks.${i}.resnets.${j}`, c, out);
      c = out;
    }
    if (i < last) conv(`decoder.up_blocks.${i}.upsamplers.0.conv`, out, out, 3);
  });
  norm('decoder.conv_norm_out', boc[0]);
  conv('decoder.conv_out', boc[0], a.outChannels, 3);
  return specs;
}
