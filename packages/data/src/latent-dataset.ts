import { z } from 'zod';
import { DataConfigError, parseConfig } from './parse-config';
import { DatasetFieldsSchema, type ImageDataset } from './image-dataset';

/**
 * An in-memory data set of latents (e.g. a VAE's encodings of an image data set): the same
 * fields as {@link ImageDataset}, with float32 NHWC `values` in place of uint8 `images`.
 * {@link batches} hands the values out as they are (no [-1, 1] mapping).
 */
export interface LatentDataset {
  /** Where it came from, e.g. `fashion-mnist/train@kl-autoencoder`. */
  readonly name: string;
  /** count * height * width * channels floats, NHWC. */
  readonly values: Float32Array;
  /** One class index per latent, in [0, numClasses). */
  readonly labels: Int32Array;
  readonly count: number;
  readonly height: number;
  readonly width: number;
  /** Latent channels (any positive number, e.g. 4). */
  readonly channels: number;
  readonly numClasses: number;
  /** numClasses names; `classNames[labels[i]]` names latent i's class. */
  readonly classNames: readonly string[];
}

const LatentDatasetFieldsSchema = DatasetFieldsSchema.extend({
  values: z.instanceof(Float32Array, { message: 'must be a Float32Array' }),
});

/**
 * Builds a {@link LatentDataset} after checking that its fields agree: lengths match count and
 * shape, labels lie in [0, numClasses), one name per class, every value finite.
 * @throws {@link DataConfigError} naming the field that disagrees
 */
export function createLatentDataset(fields: LatentDataset): LatentDataset {
  const d = parseConfig(LatentDatasetFieldsSchema, fields, 'LatentDataset');
  const size = d.count * d.height * d.width * d.channels;
  if (d.values.length !== size)
    throw new DataConfigError(`Invalid LatentDataset: values: has ${d.values.length} floats, count x height x width x channels = ${size}`);
  if (d.labels.length !== d.count) throw new DataConfigError(`Invalid LatentDataset: labels: has ${d.labels.length} entries, count = ${d.count}`);
  if (d.classNames.length !== d.numClasses)
    throw new DataConfigError(`Invalid LatentDataset: classNames: has ${d.classNames.length} names, numClasses = ${d.numClasses}`);
  for (let i = 0; i < d.count; i++) {
    const label = d.labels[i];
    if (!(label >= 0 && label < d.numClasses)) throw new DataConfigError(`Invalid LatentDataset: labels.${i}: ${label} is not in [0, ${d.numClasses})`);
  }
  // A NaN in the cache would silently poison every training step that draws it.
  for (let i = 0; i < d.values.length; i++)
    if (!Number.isFinite(d.values[i])) throw new DataConfigError(`Invalid LatentDataset: values.${i}: ${d.values[i]} is not finite`);
  return { ...d, classNames: [...d.classNames] };
}

/** True for a {@link LatentDataset}, false for an {@link ImageDataset}. */
export function isLatentDataset(d: ImageDataset | LatentDataset): d is LatentDataset {
  return (d as LatentDataset).values instanceof Float32Array;
}
