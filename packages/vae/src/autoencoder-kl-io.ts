import { readSafetensorsFile, SafetensorsError, writeSafetensorsFile, type SafetensorsContents } from '@lowdiff/model';
import { AutoencoderKL, parseAutoencoderKLConfig, architectureOf, type AutoencoderKLConfigInput } from './autoencoder-kl';
import { AutoencoderWeightsError, parseVaeConfig, VaeConfigError } from './errors';
import { LatentNormalisationSchema } from './latent-normalisation';
import { storeFromWeights } from './kl-adapter';
import { weightsFromTorchLayout, weightsToTorchLayout } from './vae-weights';

/** `format` in the metadata of the files this package writes. */
export const VAE_FORMAT = 'lowdiff-vae/1';

/** Reads a safetensors file, turning codec errors into {@link AutoencoderWeightsError}. */
export async function readWeightsFile(path: string): Promise<SafetensorsContents> {
  try {
    return await readSafetensorsFile(path);
  } catch (err) {
    if (err instanceof SafetensorsError) throw new AutoencoderWeightsError(`cannot load autoencoder weights: ${err.message}`, [err.message]);
    throw err;
  }
}

/** Parses a JSON metadata entry, naming the file and key when it is not valid JSON. */
export function metadataJson(path: string, metadata: Record<string, string>, key: string): unknown {
  const raw = metadata[key];
  if (raw === undefined) return undefined;
  try {
    return JSON.parse(raw);
  } catch (err) {
    throw new AutoencoderWeightsError(`${path}: metadata '${key}' is not valid JSON (${(err as Error).message})`, [key]);
  }
}

/**
 * Writes the weights in diffusers layout (PyTorch [out, in, kh, kw] convs, [out, in] linears,
 * current names), F32, with `format`, `kind`, `config` and `normalisation` in the metadata, so
 * the file loads both here (config included) and in diffusers. Atomic (temp file + rename).
 */
export async function saveAutoencoderKL(path: string, vae: AutoencoderKL, info?: unknown): Promise<void> {
  const metadata: Record<string, string> = {
    format: VAE_FORMAT,
    kind: vae.name,
    config: JSON.stringify(vae.config),
    normalisation: JSON.stringify(vae.normalisation),
  };
  if (info !== undefined) metadata.info = JSON.stringify(info);
  await writeSafetensorsFile(path, await weightsToTorchLayout(vae.store, vae.architecture), metadata);
}

/**
 * Loads Stable Diffusion VAE weights from a diffusers-layout safetensors file (e.g.
 * sd-vae-ft-mse's `diffusion_pytorch_model.safetensors`): F32, F16, BF16 or F64; attention
 * projections under current (`to_q`, ..., `to_out.0`) or legacy (`query`, ..., `proj_attn`)
 * names, as [out, in] matrices or [out, in, 1, 1] 1x1 convs. The config is `config` when given,
 * else the one in the file's metadata (files from {@link saveAutoencoderKL}), else
 * {@link SD_VAE_CONFIG}. Every tensor's name and shape is checked against it first.
 * @throws {@link AutoencoderWeightsError} listing each missing, unexpected or mis-shaped tensor
 */
export async function loadAutoencoderKL(path: string, config?: AutoencoderKLConfigInput): Promise<AutoencoderKL> {
  const { tensors, metadata } = await readWeightsFile(path);
  const ours = metadata.format === VAE_FORMAT && metadata.kind === 'autoencoder-kl';
  let source = 'the default SD VAE config';
  let cfgInput: unknown = config;
  if (cfgInput !== undefined) source = 'the given config';
  else if (ours && metadata.config !== undefined) {
    cfgInput = metadataJson(path, metadata, 'config');
    source = "the config in the file's metadata";
  }
  let cfg;
  try {
    cfg = parseAutoencoderKLConfig(cfgInput);
  } catch (err) {
    if (err instanceof VaeConfigError && config === undefined) throw new AutoencoderWeightsError(`${path}: ${err.message}`, [err.message]);
    throw err;
  }
  const weights = weightsFromTorchLayout(tensors, architectureOf(cfg), path, ` (${source})`);
  const vae = new AutoencoderKL(cfg, storeFromWeights(weights));
  if (ours && config === undefined && metadata.normalisation !== undefined) {
    vae.setNormalisation(parseVaeConfig(LatentNormalisationSchema, metadataJson(path, metadata, 'normalisation'), `normalisation in ${path}`));
  }
  return vae;
}
