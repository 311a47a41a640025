import type * as tf from '@tensorflow/tfjs';
import type { EdmDenoiser } from '@lowdiff/model';
import type { LatentAdapter } from '@lowdiff/vae';
import { CliError, loadModelForSampling } from '@lowdiff/cli-kit';
import { loadVae, vaePathFor } from './load-vae';
import { pixelSpaceResampler, type ConditionSpace } from './pixel-space-resampler';

/** A latent checkpoint with the VAE that decodes its samples. */
export interface LatentModel {
  model: EdmDenoiser;
  vae: LatentAdapter;
  classNames?: string[];
  /** The model's top (latent) resolution: plan presets are sized by it. */
  latentResolution: number;
  /** Side of the decoded images. */
  imageResolution: number;
  /** Latents -> images in [-1, 1], for cli-kit's generate / runBench. */
  decode: (latents: tf.Tensor4D) => tf.Tensor4D;
  /** Where the model was trained to resample conditions; 'pixel' sets `resample`. */
  conditionSpace: ConditionSpace;
  /** Upsampling between stages in pixel space, when the model was trained that way. */
  resample?: (previous: tf.Tensor4D, resolution: number, mode: 'nearest' | 'bilinear') => tf.Tensor4D;
  dispose(): void;
}

export async function loadLatentModel(checkpoint: string, vaeFlag: string | undefined): Promise<LatentModel> {
  const { model, info, classNames } = await loadModelForSampling(checkpoint);
  let vae: LatentAdapter;
  try {
    vae = await loadVae(vaePathFor(vaeFlag, info));
  } catch (err) {
    model.dispose();
    throw err;
  }
  if (vae.latentChannels !== model.channels) {
    model.dispose();
    vae.dispose();
    throw new CliError(`--vae: its latents have ${vae.latentChannels} channels, the model ${model.channels}`);
  }
  const latentResolution = model.resolutions[model.resolutions.length - 1];
  const conditionSpace: ConditionSpace = (info as { conditionSpace?: string } | undefined)?.conditionSpace === 'pixel' ? 'pixel' : 'latent';
  const pixel = conditionSpace === 'pixel' ? pixelSpaceResampler(vae) : null;
  return {
    conditionSpace,
    resample: pixel ? (z, r, mode) => pixel.upsample(z, r, mode) : undefined,
    model,
    vae,
    classNames,
    latentResolution,
    imageResolution: latentResolution * vae.downsampleFactor,
    // The decoder is convolutional, so low-stage latents (e.g. 4x4) decode directly to smaller images.
    decode: (z) => vae.decode(z),
    dispose: () => {
      model.dispose();
      vae.dispose();
    },
  };
}
