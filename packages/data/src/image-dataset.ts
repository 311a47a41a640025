import { z } from 'zod';
import { DataConfigError, parseConfig } from './parse-config';

/**
 * An in-memory image data set: `count` images of `height` x `width` x `channels` bytes, stored
 * NHWC as uint8 (0 = black). The edge format of every loader; {@link toTensor} turns a selection
 * into float32 in [-1, 1]. Treat the arrays as read-only: loaders may share them between callers.
 */
export interface ImageDataset {
  /** Where it came from, e.g. `fashion-mnist/train`, `cifar10/test`, `folder:flowers/all`. */
  readonly name: string;
  /** count * height * width * channels bytes, NHWC. */
  readonly images: Uint8Array;
  /** One class index per image, in [0, numClasses). */
  readonly labels: Int32Array;
  readonly count: number;
  readonly height: number;
  readonly width: number;
  /** 1 (grayscale) or 3 (RGB). */
  readonly channels: number;
  readonly numClasses: number;
  /** numClasses names; `classNames[labels[i]]` names image i's class. */
  readonly classNames: readonly string[];
}

const positiveInt = z.number().int('must be an integer').min(1, 'must be >= 1');

/** The fields every in-memory data set has, whatever its pixel storage (bytes or latent floats). */
export const DatasetFieldsSchema = z.object({
  name: z.string().min(1, 'must not be empty'),
  labels: z.instanceof(Int32Array, { message: 'must be an Int32Array' }),
  count: z.number().int('must be an integer').min(0, 'must be >= 0'),
  height: positiveInt,
  width: positiveInt,
  channels: positiveInt,
  numClasses: positiveInt,
  classNames: z.array(z.string()),
});


const ImageDatasetFieldsSchema = DatasetFieldsSchema.extend({
  images: z.instanceof(Uint8Array, { message: 'must be a Uint8Array' }),
  channels: z.union([z.literal(1), z.literal(3)], { message: 'must be 1 or 3' }),
});

/**
 * Builds an {@link ImageDataset} from its fields after checking that they agree: array lengths
 * match count and shape, labels lie in [0, numClasses), there is one name per class.
 * @throws {@link DataConfigError} naming the field that disagrees
 */
export function createImageDataset(fields: ImageDataset): ImageDataset {
  const d = parseConfig(ImageDatasetFieldsSchema, fields, 'ImageDataset');
  const pixels = d.count * d.height * d.width * d.channels;
  if (d.images.length !== pixels) {
    throw new DataConfigError(
      `Invalid ImageDataset: images: has ${d.images.length} bytes, count x height x width x channels = ${pixels}`,
    );
  }
  if (d.labels.length !== d.count) {
    throw new DataConfigError(`Invalid ImageDataset: labels: has ${d.labels.length} entries, count = ${d.count}`);
  }
  if (d.classNames.length !== d.numClasses) {
    throw new DataConfigError(
      `Invalid ImageDataset: classNames: has ${d.classNames.length} names, numClasses = ${d.numClasses}`,
    );
  }
  for (let i = 0; i < d.count; i++) {
    const label = d.labels[i];
    if (!(label >= 0 && label < d.numClasses)) {
      throw new DataConfigError(`Invalid ImageDataset: labels.${i}: ${label} is not in [0, ${d.numClasses})`);
    }
  }
  return { ...d, classNames: [...d.classNames] };
}

/** Bytes per image: height * width * channels. */
export function imageSize(d: Pick<ImageDataset, 'height' | 'width' | 'channels'>): number {
  return d.height * d.width * d.channels;
}

/**
 * The images at `indices`, in that order, as a new data set (copies the bytes).
 * @throws {@link DataConfigError} for an index outside [0, count)
 */
export function selectSamples(dataset: ImageDataset, indices: ArrayLike<number>, name = dataset.name): ImageDataset {
  const size = imageSize(dataset);
  const images = new Uint8Array(indices.length * size);
  const labels = new Int32Array(indices.length);
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k];
    checkIndex(dataset, i, k);
    images.set(dataset.images.subarray(i * size, (i + 1) * size), k * size);
    labels[k] = dataset.labels[i];
  }
  return { ...dataset, name, images, labels, count: indices.length };
}

/** @throws {@link DataConfigError} when `i` (the k-th requested index) is not an image of `dataset` */
export function checkIndex(dataset: Pick<ImageDataset, 'count' | 'name'>, i: number, k: number): void {
  if (!(Number.isInteger(i) && i >= 0 && i < dataset.count)) {
    throw new DataConfigError(`indices.${k}: ${i} is not an image index of ${dataset.name} (count ${dataset.count})`);
  }
}

/** Number of images per class, indexed by label. */
export function classCounts(dataset: Pick<ImageDataset, 'labels' | 'numClasses'>): number[] {
  const counts = new Array<number>(dataset.numClasses).fill(0);
  for (const label of dataset.labels) counts[label]++;
  return counts;
}
