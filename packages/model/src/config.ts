import { z } from 'zod';

const isPow2 = (n: number) => Number.isInteger(Math.log2(n));

/** Parts both backbones share: what a stage sees besides the noisy image. */
const ConditioningFields = {
  /** Image (or latent) channels. */
  channels: z.number().int().min(1).default(1),
  /** Largest (target) resolution R. */
  resolution: z.number().int().min(4),
  /** Resolutions the unified network serves, ascending; each enters at its own level. */
  stageResolutions: z.array(z.number().int().min(2)).min(1),
  /** Classes (0: unconditional). Label `numClasses` is the null class for guidance dropout. */
  numClasses: z.number().int().min(0).default(0),
  /** A learned embedding of the stage index added to the noise embedding (the paper's resolution embedding). */
  resolutionEmbedding: z.boolean().default(true),
  /** Concatenate the upsampled previous-stage image to the input (zeros + a flag for a first stage). */
  conditionInput: z.boolean().default(true),
  /** Embed the condition-augmentation level sigma_aug like the noise level. */
  augmentationEmbedding: z.boolean().default(true),
  sigmaData: z.number().positive().default(0.5),
  dropout: z.number().min(0).lt(1).default(0),
};

function checkStages(
  cfg: { resolution: number; stageResolutions: number[] },
  ctx: z.RefinementCtx,
  divisor: (r: number) => boolean,
  what: string,
) {
  const rs = cfg.stageResolutions;
  rs.forEach((r, i) => {
    if (i > 0 && r <= rs[i - 1])
      ctx.addIssue({ code: 'custom', path: ['stageResolutions', i], message: 'must be strictly increasing' });
    if (r > cfg.resolution)
      ctx.addIssue({ code: 'custom', path: ['stageResolutions', i], message: `must be <= resolution (${cfg.resolution})` });
    if (!divisor(r)) ctx.addIssue({ code: 'custom', path: ['stageResolutions', i], message: what });
  });
}

export const UNetConfigSchema = z
  .object({
    kind: z.literal('unet'),
    ...ConditioningFields,
    /** Channels at level 0 (resolution R); level l has baseChannels * channelMult[l] at R / 2^l. */
    baseChannels: z.number().int().min(4).default(32),
    // Equal widths at every level (as EDM's CIFAR-10 DDPM++, [2,2,2] x 128) make each level down
    // cost about a quarter of the one above, which is where a cascade's savings come from.
    channelMult: z.array(z.number().int().min(1)).min(1).default([1, 1, 1]),
    numResBlocks: z.number().int().min(1).default(1),
    /** Resolutions with self-attention after each residual block. */
    attentionResolutions: z.array(z.number().int()).default([8]),
    attentionHeads: z.number().int().min(1).default(1),
    groupNormGroups: z.number().int().min(1).default(8),
    /** Noise embedding: sinusoidal positional (DDPM++) or random Fourier features (NCSN++). */
    noiseEmbedding: z.enum(['positional', 'fourier']).default('positional'),
  })
  .strict()
  .superRefine((cfg, ctx) => {
    if (!isPow2(cfg.resolution)) ctx.addIssue({ code: 'custom', path: ['resolution'], message: 'must be a power of two' });
    const lowest = cfg.resolution / 2 ** (cfg.channelMult.length - 1);
    checkStages(
      cfg,
      ctx,
      (r) => isPow2(r) && r >= lowest,
      `must be resolution / 2^k with k < channelMult.length (lowest level is ${lowest})`,
    );
    const widths = cfg.channelMult.map((m) => m * cfg.baseChannels);
    widths.forEach((w, i) => {
      if (w % cfg.groupNormGroups !== 0)
        ctx.addIssue({ code: 'custom', path: ['channelMult', i], message: `width ${w} not divisible by groupNormGroups` });
    });
  });
export type UNetConfig = z.output<typeof UNetConfigSchema>;

export const DiTConfigSchema = z
  .object({
    kind: z.literal('dit'),
    ...ConditioningFields,
    patchSize: z.number().int().min(1).default(2),
    hiddenSize: z.number().int().min(8).default(128),
    depth: z.number().int().min(1).default(4),
    heads: z.number().int().min(1).default(4),
    mlpRatio: z.number().positive().default(4),
  })
  .strict()
  .superRefine((cfg, ctx) => {
    if (cfg.hiddenSize % cfg.heads !== 0)
      ctx.addIssue({ code: 'custom', path: ['heads'], message: 'must divide hiddenSize' });
    if (cfg.hiddenSize % 4 !== 0)
      ctx.addIssue({ code: 'custom', path: ['hiddenSize'], message: 'must be a multiple of 4 (2-D sin-cos positions)' });
    checkStages(cfg, ctx, (r) => r % cfg.patchSize === 0, `must be a multiple of patchSize (${cfg.patchSize})`);
  });
export type DiTConfig = z.output<typeof DiTConfigSchema>;

/** A model config: `kind` picks the backbone. */
export const ModelConfigSchema = z.discriminatedUnion('kind', [UNetConfigSchema, DiTConfigSchema]);
export type ModelConfig = z.output<typeof ModelConfigSchema>;
export type ModelConfigInput = z.input<typeof ModelConfigSchema>;

/** Thrown for an invalid config; the message names each bad field. */
export class ModelConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelConfigError';
  }
}

export function parseModelConfig(input: unknown): ModelConfig {
  const r = ModelConfigSchema.safeParse(input);
  if (r.success) return r.data;
  const lines = r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
  throw new ModelConfigError(`Invalid model config: ${lines.join('; ')}`);
}
