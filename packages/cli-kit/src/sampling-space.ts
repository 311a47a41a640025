import type * as tf from '@tensorflow/tfjs';
import type { EdmDenoiser } from '@lowdiff/model';
import type { RunCascadeOptions } from '@lowdiff/sampler';
import { identityAdapter, type LatentAdapter } from '@lowdiff/vae';
import { CliError } from './cli-error';
import { loadModelForSampling } from './checkpoint-model';
import { samplingFlags, type Flag } from './flags';
import { loadVae, vaePathFor } from './load-vae';
import { pixelSpaceResampler, type ConditionSpace } from './pixel-space-resampler';

/**
 * A checkpoint ready to sample, in its space: pixels (the identity adapter) or a VAE's latents.
 * The commands call only this, so one implementation serves both apps.
 */
export interface SamplingSpace {
  model: EdmDenoiser;
  classNames?: string[];
  /** Turns what the model makes into images: the identity in pixel space. */
  adapter: LatentAdapter;
  /** The model's top resolution (pixels or latents): plan presets are sized by it. */
  modelResolution: number;
  /** Side of the images delivered (decoded). */
  imageResolution: number;
  /** Latents -> images for generate / runBench; undefined where there is nothing to decode. */
  decode?: (latents: tf.Tensor4D) => tf.Tensor4D;
  /** Upsampling between stages in pixel space, for a latent model trained that way. */
  resample?: RunCascadeOptions['resample'];
  /** How its stages read in messages, e.g. `latent 8x8 decoded to 32x32`. */
  describe: string;
  dispose(): void;
}

/** A kind of space: its extra flags, how it loads a checkpoint, whether worker threads can sample it. */
export interface SpaceKind<F extends Record<string, Flag> = Record<string, Flag>> {
  name: 'pixel' | 'latent';
  flags: F;
  load(checkpoint: string, flags: Record<string, unknown>): Promise<SamplingSpace>;
  /** Sampling worker threads reload the checkpoint themselves; they cannot decode latents. */
  workers: boolean;
}

export const PIXEL_SPACE: SpaceKind<Record<string, never>> = {
  name: 'pixel',
  flags: {},
  workers: true,
  async load(checkpoint) {
    const { model, classNames } = await loadModelForSampling(checkpoint);
    const r = model.resolutions[model.resolutions.length - 1];
    return { model, classNames, adapter: identityAdapter(model.channels), modelResolution: r, imageResolution: r, describe: `${r}x${r}`, dispose: () => model.dispose() };
  },
};

export const LATENT_SPACE: SpaceKind<{ vae: Flag }> = {
  name: 'latent',
  flags: { vae: samplingFlags.vae() },
  workers: false,
  async load(checkpoint, flags) {
    const { model, info, classNames } = await loadModelForSampling(checkpoint);
    let vae: LatentAdapter;
    try {
      vae = await loadVae(vaePathFor(flags.vae as string | undefined, info));
    } catch (err) {
      model.dispose();
      throw err;
    }
    if (vae.latentChannels !== model.channels) {
      model.dispose();
      vae.dispose();
      throw new CliError(`--vae: its latents have ${vae.latentChannels} channels, the model ${model.channels}`);
    }
    const r = model.resolutions[model.resolutions.length - 1];
    const conditionSpace: ConditionSpace = (info as { conditionSpace?: string } | undefined)?.conditionSpace === 'pixel' ? 'pixel' : 'latent';
    const pixel = conditionSpace === 'pixel' ? pixelSpaceResampler(vae) : null;
    const image = r * vae.downsampleFactor;
    return {
      model,
      classNames,
      adapter: vae,
      modelResolution: r,
      imageResolution: image,
      // The decoder is convolutional, so low-stage latents (e.g. 4x4) decode directly to smaller images.
      decode: (z) => vae.decode(z),
      resample: pixel ? (z, res, mode) => pixel.upsample(z, res, mode) : undefined,
      describe: `latent ${r}x${r} decoded to ${image}x${image}`,
      dispose: () => {
        model.dispose();
        vae.dispose();
      },
    };
  },
};
