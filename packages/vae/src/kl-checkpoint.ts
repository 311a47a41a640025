import * as tf from '@tensorflow/tfjs';
import { writeSafetensorsFile, type SafeTensor, type WritableTensor } from '@lowdiff/model';
import { metadataJson, readWeightsFile, VAE_FORMAT } from './autoencoder-kl-io';
import { AutoencoderWeightsError, parseVaeConfig, VaeConfigError } from './errors';
import { KlAutoencoder, klArchitecture, parseKlAutoencoderConfig } from './kl-autoencoder';
import { storeFromWeights } from './kl-adapter';
import { LatentNormalisationSchema } from './latent-normalisation';
import { vaeWeightSpecs } from './vae-architecture';
import { weightsFromTorchLayout, weightsToTorchLayout } from './vae-weights';

const OPTIMIZER_PREFIX = /^adam\.[mv]\//;

/** What a KL autoencoder checkpoint holds besides the weights. */
export interface KlCheckpointExtras {
  /** Optimizer tensors (`adam.m/<weight>`, `adam.v/<weight>`, our layout). */
  optimizer?: Map<string, tf.Tensor>;
  /** Training state (step, RNG state, data cursor, training config), any JSON. */
  training?: unknown;
  /** How it was made, any JSON. */
  info?: unknown;
}

export interface LoadedKlAutoencoder {
  autoencoder: KlAutoencoder;
  /** Optimizer tensors by name; the caller disposes them (empty if the file has none). */
  optimizer: Map<string, tf.Tensor>;
  training: unknown;
  info: unknown;
  metadata: Record<string, string>;
}

/**
 * Saves a {@link KlAutoencoder}: weights in diffusers layout (so diffusers' AutoencoderKL can read
 * them too), optional optimizer moments, and in the metadata `format` (`lowdiff-vae/1`), `kind`,
 * the validated `config`, the latent `normalisation` (measured statistics included) and
 * `training` / `info` JSON. Written to a temp file, flushed, then renamed.
 */
export async function saveKlAutoencoder(path: string, autoencoder: KlAutoencoder, extras: KlCheckpointExtras = {}): Promise<void> {
  const tensors = await weightsToTorchLayout(autoencoder.store, autoencoder.architecture);
  for (const [name, t] of extras.optimizer ?? []) {
    if (!OPTIMIZER_PREFIX.test(name)) throw new AutoencoderWeightsError(`optimizer tensor '${name}' must be named adam.m/<weight> or adam.v/<weight>`, [name]);
    tensors.set(name, { shape: t.shape, data: (await t.data()) as Float32Array } satisfies WritableTensor);
  }
  const metadata: Record<string, string> = {
    format: VAE_FORMAT,
    kind: autoencoder.name,
    config: JSON.stringify(autoencoder.config),
    normalisation: JSON.stringify(autoencoder.normalisation),
  };
  if (extras.training !== undefined) metadata.training = JSON.stringify(extras.training);
  if (extras.info !== undefined) metadata.info = JSON.stringify(extras.info);
  await writeSafetensorsFile(path, tensors, metadata);
}

/**
 * Loads a checkpoint written by {@link saveKlAutoencoder}, checking the format, the config and
 * every tensor's name and shape before building anything.
 * @throws {@link AutoencoderWeightsError} naming what does not fit
 */
export async function loadKlAutoencoder(path: string): Promise<LoadedKlAutoencoder> {
  const { tensors, metadata } = await readWeightsFile(path);
  if (metadata.format !== VAE_FORMAT || metadata.kind !== 'kl-autoencoder')
    throw new AutoencoderWeightsError(
      `${path}: not a LowDiff KL autoencoder checkpoint (metadata format ${JSON.stringify(metadata.format)}, kind ${JSON.stringify(metadata.kind)}; expected '${VAE_FORMAT}', 'kl-autoencoder')`,
    );
  let config;
  let normalisation;
  try {
    config = parseKlAutoencoderConfig(metadataJson(path, metadata, 'config'));
    normalisation = parseVaeConfig(LatentNormalisationSchema, metadataJson(path, metadata, 'normalisation'), 'normalisation');
  } catch (err) {
    if (err instanceof VaeConfigError) throw new AutoencoderWeightsError(`${path}: ${err.message}`, [err.message]);
    throw err;
  }
  const arch = klArchitecture(config);
  const weightFile = new Map<string, SafeTensor>();
  const optimizerFile = new Map<string, SafeTensor>();
  for (const [name, t] of tensors) (OPTIMIZER_PREFIX.test(name) ? optimizerFile : weightFile).set(name, t);
  const specs = vaeWeightSpecs(arch);
  for (const [name, t] of optimizerFile) {
    const spec = specs.get(name.replace(OPTIMIZER_PREFIX, ''));
    if (!spec || spec.shape.join() !== t.shape.join())
      throw new AutoencoderWeightsError(`${path}: optimizer tensor '${name}' ${spec ? `has shape [${t.shape}], expected [${spec.shape}]` : 'belongs to no weight'}`, [name]);
  }
  const weights = weightsFromTorchLayout(weightFile, arch, path, " (the config in the file's metadata)");
  const autoencoder = new KlAutoencoder(config, storeFromWeights(weights), normalisation);
  const optimizer = new Map<string, tf.Tensor>();
  for (const [name, t] of optimizerFile) optimizer.set(name, tf.tensor(t.data as Float32Array, t.shape, 'float32'));
  return {
    autoencoder,
    optimizer,
    training: metadataJson(path, metadata, 'training'),
    info: metadataJson(path, metadata, 'info'),
    metadata,
  };
}
