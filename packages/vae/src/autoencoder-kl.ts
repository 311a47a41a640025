import type { ParamStore } from '@lowdiff/model';
import { z } from 'zod';
import { parseVaeConfig, VaeConfigError } from './errors';
import { KlAdapterBase, randomStore } from './kl-adapter';
import { checkGroups, vaeArchitectureFields, type VaeArchitecture } from './vae-architecture';

const finite = z.number().refine(Number.isFinite, 'must be a finite number');

/**
 * Stable Diffusion's `AutoencoderKL` (diffusers), every field a knob; the defaults are SD 1.x/2.x's
 * VAE (sd-vae-ft-mse): 3 -> 4 channels, 8x downsampling, 83.7 M parameters. Latents are
 * normalised SD style: z_norm = (z - shiftFactor) * scalingFactor.
 */
export const AutoencoderKLConfigSchema = z
  .object({
    ...vaeArchitectureFields,
    scalingFactor: finite.refine((v) => v !== 0, 'must not be 0').default(0.18215),
    shiftFactor: finite.default(0),
    /** decode clips normalised latents to +-latentClamp (NaN -> 0) before decoding. */
    latentClamp: finite.refine((v) => v > 0, 'must be > 0').default(50),
  })
  .strict()
  .superRefine((c, ctx) => {
    checkGroups(c, ctx);
    if (c.outChannels !== c.inChannels)
      ctx.addIssue({ code: 'custom', path: ['outChannels'], message: `must equal inChannels (${c.inChannels}) for a latent adapter` });
  });
export type AutoencoderKLConfig = z.output<typeof AutoencoderKLConfigSchema>;
export type AutoencoderKLConfigInput = z.input<typeof AutoencoderKLConfigSchema>;

export function parseAutoencoderKLConfig(input: unknown): AutoencoderKLConfig {
  return parseVaeConfig(AutoencoderKLConfigSchema, input ?? {}, 'AutoencoderKL config');
}

/** SD 1.x / 2.x's VAE (also sd-vae-ft-mse and sd-vae-ft-ema). */
export const SD_VAE_CONFIG: AutoencoderKLConfig = parseAutoencoderKLConfig({});

export function architectureOf(c: AutoencoderKLConfig): VaeArchitecture {
  const { scalingFactor: _s, shiftFactor: _f, latentClamp: _l, ...arch } = c;
  return arch;
}

/**
 * Reads a diffusers `config.json` of an AutoencoderKL (snake_case keys) into our config. Keys
 * that do not change the network (`sample_size`, `force_upcast`, `_class_name`, ...) are ignored;
 * block types other than DownEncoderBlock2D / UpDecoderBlock2D and activations other than SiLU
 * are refused, since this implementation has no others.
 */
export function autoencoderKLConfigFromDiffusers(json: Record<string, unknown>): AutoencoderKLConfig {
  const problems: string[] = [];
  const allSame = (key: string, want: string) => {
    const v = json[key];
    if (v !== undefined && !(Array.isArray(v) && v.every((t) => t === want))) problems.push(`${key}: only ${want} is supported, got ${JSON.stringify(v)}`);
  };
  allSame('down_block_types', 'DownEncoderBlock2D');
  allSame('up_block_types', 'UpDecoderBlock2D');
  if (json.act_fn !== undefined && json.act_fn !== 'silu') problems.push(`act_fn: only silu is supported, got ${JSON.stringify(json.act_fn)}`);
  if (problems.length > 0) throw new VaeConfigError(`Unsupported diffusers AutoencoderKL config: ${problems.join('; ')}`);
  const map: Record<string, string> = {
    in_channels: 'inChannels',
    out_channels: 'outChannels',
    block_out_channels: 'blockOutChannels',
    layers_per_block: 'layersPerBlock',
    latent_channels: 'latentChannels',
    norm_num_groups: 'normNumGroups',
    mid_block_add_attention: 'midBlockAddAttention',
    use_quant_conv: 'useQuantConv',
    use_post_quant_conv: 'usePostQuantConv',
    scaling_factor: 'scalingFactor',
    shift_factor: 'shiftFactor',
  };
  const out: Record<string, unknown> = {};
  for (const [from, to] of Object.entries(map)) if (json[from] !== undefined && json[from] !== null) out[to] = json[from];
  return parseAutoencoderKLConfig(out);
}

/**
 * Stable Diffusion's VAE as a {@link LatentAdapter}, with diffusers parameter names. `new
 * AutoencoderKL(config, seed)` has random weights (for tests and shape checks); real weights come
 * from {@link loadAutoencoderKL}. `encode` returns (mean - shiftFactor) * scalingFactor (or a
 * posterior sample with `{ sample: rng }`); `decode` undoes it, guarded against extreme latents.
 */
export class AutoencoderKL extends KlAdapterBase {
  readonly name = 'autoencoder-kl';
  readonly config: AutoencoderKLConfig;

  constructor(config: AutoencoderKLConfigInput = {}, seedOrWeights: number | ParamStore = 0) {
    const c = parseAutoencoderKLConfig(config);
    const arch = architectureOf(c);
    const store = typeof seedOrWeights === 'number' ? randomStore(arch, seedOrWeights) : seedOrWeights;
    super(arch, store, { kind: 'scale-shift', scale: c.scalingFactor, shift: c.shiftFactor }, c.latentClamp);
    this.config = c;
  }
}
