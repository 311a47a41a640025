import { existsSync } from 'node:fs';
import { createLatentDataset, type LatentDataset } from '@lowdiff/data';
import { readSafetensorsFile, writeSafetensorsFile } from '@lowdiff/model';
import { CliError } from '@lowdiff/cli-kit';

export const LATENT_CACHE_FORMAT = 'lowdiff-latents/1';

/** What a latent cache records besides the values and labels. */
export interface LatentCacheInfo {
  /** The adapter's name, e.g. `kl-autoencoder`. */
  adapter: string;
  /** The VAE file that encoded it (decode with the same one). */
  vae: string;
  /** The image data set and split, e.g. `fashion-mnist/train`. */
  data: string;
  /** Image side the latents were encoded from. */
  imageSize: number;
}

/**
 * Writes latents (float32 NHWC) and labels (int32) as safetensors (`latents`, `labels`), with the
 * shape, classes and provenance in the metadata.
 */
export async function saveLatentCache(path: string, data: LatentDataset, info: LatentCacheInfo): Promise<void> {
  await writeSafetensorsFile(
    path,
    { latents: { shape: [data.count, data.height, data.width, data.channels], data: data.values }, labels: { shape: [data.count], data: data.labels } },
    {
      format: LATENT_CACHE_FORMAT,
      name: data.name,
      shape: JSON.stringify([data.count, data.height, data.width, data.channels]),
      classNames: JSON.stringify(data.classNames),
      ...Object.fromEntries(Object.entries(info).map(([k, v]) => [k, String(v)])),
    },
  );
}

/** Reads a cache written by {@link saveLatentCache} as a LatentDataset, checking what it holds. */
export async function loadLatentCache(path: string, flag = '--latents'): Promise<{ data: LatentDataset; info: LatentCacheInfo }> {
  if (!existsSync(path)) throw new CliError(`${flag}: no such file ${path}`);
  try {
    const { tensors, metadata } = await readSafetensorsFile(path);
    if (metadata.format !== LATENT_CACHE_FORMAT) throw new Error(`not a latent cache (metadata format ${JSON.stringify(metadata.format)}, expected '${LATENT_CACHE_FORMAT}'; make one with \`encode\`)`);
    const latents = tensors.get('latents');
    const labels = tensors.get('labels');
    if (!latents || latents.shape.length !== 4 || !(latents.data instanceof Float32Array)) throw new Error("needs a float32 rank-4 tensor 'latents'");
    if (!labels || !(labels.data instanceof Int32Array)) throw new Error("needs an int32 tensor 'labels'");
    const classNames = JSON.parse(metadata.classNames ?? '[]') as string[];
    const [count, height, width, channels] = latents.shape;
    const data = createLatentDataset({ name: metadata.name ?? path, values: latents.data, labels: labels.data, count, height, width, channels, numClasses: classNames.length, classNames });
    return { data, info: { adapter: metadata.adapter ?? '?', vae: metadata.vae ?? '', data: metadata.data ?? '?', imageSize: Number(metadata.imageSize) } };
  } catch (err) {
    throw new CliError(`${flag}: ${path}: ${(err as Error).message}`);
  }
}
