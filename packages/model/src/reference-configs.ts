import type { ModelConfigInput } from './config';

/**
 * The reference pixel-space config: a 32x32 class-conditional UNet (Fashion-MNIST, MNIST) with
 * stages 8, 16 and 32. Small enough to train on a 2-core CPU in hours and to sample a few
 * hundred images in a minute (141 MFLOP per 32x32 call).
 */
export const REFERENCE_UNET_32: ModelConfigInput = {
  kind: 'unet',
  channels: 1,
  resolution: 32,
  stageResolutions: [8, 16, 32],
  numClasses: 10,
  baseChannels: 24,
  channelMult: [1, 1, 1],
  numResBlocks: 1,
  attentionResolutions: [8],
  dropout: 0.05,
};

/** The reference latent-space config: a small DiT over 8x8 latents with stages 4 and 8. */
export const REFERENCE_DIT_LATENT: ModelConfigInput = {
  kind: 'dit',
  channels: 4,
  resolution: 8,
  stageResolutions: [4, 8],
  numClasses: 10,
  patchSize: 1,
  hiddenSize: 128,
  depth: 4,
  heads: 4,
};
