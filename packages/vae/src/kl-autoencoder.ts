import type { ParamStore } from '@lowdiff/model';
import { z } from 'zod';
import { parseVaeConfig } from './errors';
import { KlAdapterBase, randomStore } from './kl-adapter';
import { IDENTITY_NORMALISATION, type LatentNormalisation } from './latent-normalisation';
import { checkGroups, type VaeArchitecture } from './vae-architecture';

const positiveInt = z.number().int('must be an integer').min(1, 'must be >= 1');

/**
 * A small KL autoencoder for low-resolution data sets (Fashion-MNIST: 32x32x1 -> 8x8x4). It is
 * the same network as Stable Diffusion's VAE (GroupNorm + SiLU residual blocks, stride-2 conv
 * downsampling, nearest upsampling + conv, a mean and a log-variance per latent), only narrower
 * and shallower, so its weights use diffusers names and load anywhere an AutoencoderKL does.
 */
export const KlAutoencoderConfigSchema = z
  .object({
    imageChannels: positiveInt.default(1),
    latentChannels: positiveInt.default(4),
    /** Width of each level; every level after the first halves the resolution (factor 2^(levels-1)). */
    channels: z.array(positiveInt).min(1, 'needs at least one level').default([16, 32, 32]),
    /** Residual blocks per encoder level (the decoder has one more). */
    layersPerBlock: positiveInt.default(1),
    normGroups: positiveInt.default(8),
    /** Self-attention in the mid blocks (SD has it; at 8x8 latents it adds little). */
    midAttention: z.boolean().default(false),
    /** decode clips normalised latents to +-latentClamp (NaN -> 0) before decoding. */
    latentClamp: z.number().refine((v) => Number.isFinite(v) && v > 0, 'must be a finite number > 0').default(50),
  })
  .strict()
  .superRefine((c, ctx) => checkGroups({ blockOutChannels: c.channels, normNumGroups: c.normGroups }, ctx, ['channels']));
export type KlAutoencoderConfig = z.output<typeof KlAutoencoderConfigSchema>;
export type KlAutoencoderConfigInput = z.input<typeof KlAutoencoderConfigSchema>;

export function parseKlAutoencoderConfig(input: unknown): KlAutoencoderConfig {
  return parseVaeConfig(KlAutoencoderConfigSchema, input ?? {}, 'KL autoencoder config');
}

export function klArchitecture(c: KlAutoencoderConfig): VaeArchitecture {
  return {
    inChannels: c.imageChannels,
    outChannels: c.imageChannels,
    blockOutChannels: c.channels,
    layersPerBlock: c.layersPerBlock,
    latentChannels: c.latentChannels,
    normNumGroups: c.normGroups,
    midBlockAddAttention: c.midAttention,
    // The 1x1 quant convs only re-mix channels a 3x3 conv just produced; a small model skips them.
    useQuantConv: false,
    usePostQuantConv: false,
  };
}

/**
 * The small trainable KL autoencoder as a {@link LatentAdapter}. Starts with no normalisation
 * (z_norm = z); after training, {@link measureLatentStats} + `setNormalisation` give it the
 * per-channel mean and std of the data set's latents, saved with it by {@link saveKlAutoencoder}.
 */
export class KlAutoencoder extends KlAdapterBase {
  readonly name = 'kl-autoencoder';
  readonly config: KlAutoencoderConfig;

  constructor(config: KlAutoencoderConfigInput = {}, seedOrWeights: number | ParamStore = 0, normalisation: LatentNormalisation = IDENTITY_NORMALISATION) {
    const c = parseKlAutoencoderConfig(config);
    const arch = klArchitecture(c);
    super(arch, typeof seedOrWeights === 'number' ? randomStore(arch, seedOrWeights) : seedOrWeights, IDENTITY_NORMALISATION, c.latentClamp);
    this.config = c;
    if (normalisation !== IDENTITY_NORMALISATION) this.setNormalisation(normalisation);
  }
}
