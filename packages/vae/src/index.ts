/**
 * @lowdiff/vae: the latent space of a LowDiff pipeline.
 *
 * - {@link LatentAdapter}: encode images in [-1, 1] to normalised latents, decode them back,
 *   latent shapes, and the normalisation contract ({@link LatentNormalisation}: SD-style
 *   scale + shift, or per-channel mean/std measured over the data set).
 * - {@link identityAdapter}: pixel space through the same interface.
 * - {@link KlAutoencoder}: a small KL autoencoder, trained with {@link trainAutoencoder},
 *   normalised with {@link measureLatentStats}, saved with {@link saveKlAutoencoder}.
 * - {@link AutoencoderKL}: Stable Diffusion's VAE with diffusers parameter names;
 *   {@link loadAutoencoderKL} reads user-supplied safetensors weights.
 * - {@link encodeInBatches}, {@link decodeInBatches}, {@link reconstructionPsnr}: streaming
 *   helpers that keep one batch of tensors alive at a time.
 *
 * @packageDocumentation
 */
export type { LatentAdapter, EncodeOptions } from './latent-adapter';
export { latentShapeFor } from './latent-adapter';
export {
  LatentNormalisationSchema,
  IDENTITY_NORMALISATION,
  normaliseLatents,
  denormaliseLatents,
  sanitiseLatents,
  type LatentNormalisation,
  type LatentNormalisationInput,
} from './latent-normalisation';
export { identityAdapter } from './identity-adapter';
export { KlAdapterBase, type Posterior } from './kl-adapter';
export {
  KlAutoencoder,
  KlAutoencoderConfigSchema,
  parseKlAutoencoderConfig,
  klArchitecture,
  type KlAutoencoderConfig,
  type KlAutoencoderConfigInput,
} from './kl-autoencoder';
export {
  AutoencoderKL,
  AutoencoderKLConfigSchema,
  SD_VAE_CONFIG,
  parseAutoencoderKLConfig,
  autoencoderKLConfigFromDiffusers,
  type AutoencoderKLConfig,
  type AutoencoderKLConfigInput,
} from './autoencoder-kl';
export { loadAutoencoderKL, saveAutoencoderKL, VAE_FORMAT } from './autoencoder-kl-io';
export { saveKlAutoencoder, loadKlAutoencoder, type KlCheckpointExtras, type LoadedKlAutoencoder } from './kl-checkpoint';
export {
  VaeArchitectureSchema,
  vaeWeightSpecs,
  torchShape,
  type VaeArchitecture,
  type WeightSpec,
  type WeightLayout,
} from './vae-architecture';
export { canonicalWeightName, weightsFromTorchLayout, weightsToTorchLayout } from './vae-weights';
export {
  trainAutoencoder,
  KlTrainingConfigSchema,
  type KlTrainingConfig,
  type KlTrainingConfigInput,
  type TrainAutoencoderOptions,
  type TrainAutoencoderResult,
  type AutoencoderTrainingProgress,
  type AutoencoderTrainingData,
  type ImageBatch,
} from './train-autoencoder';
export { reconstructionLoss, klDivergence, type ReconstructionLoss } from './kl-loss';
export { measureLatentStats, perChannelNormalisation, ChannelMoments, type LatentStats, type StreamOptions } from './latent-stats';
export { encodeInBatches, decodeInBatches } from './batched';
export { reconstructionPsnr, MAX_PSNR, type ReconstructionQuality } from './psnr';
export { tensorBatches, type ImageSource, type TensorBatch } from './image-source';
export { VaeConfigError, VaeTrainingError, LatentInputError, AutoencoderWeightsError } from './errors';
