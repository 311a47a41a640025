import * as tf from '@tensorflow/tfjs';
import { checkIndex, createImageDataset, imageSize, type ImageDataset } from './image-dataset';
import { DataConfigError } from './parse-config';

/** byte -> [-1, 1]: v / 127.5 - 1, so 0 -> -1 and 255 -> 1 exactly. */
const TO_UNIT = Float32Array.from({ length: 256 }, (_, v) => v / 127.5 - 1);

/**
 * The images at `indices` (default: all) as float32 NHWC in [-1, 1], gathered in JavaScript
 * into `out` when given (length indices.length * height * width * channels).
 */
export function imagesToFloat(dataset: ImageDataset, indices: ArrayLike<number>, out?: Float32Array): Float32Array {
  const size = imageSize(dataset);
  const values = out ?? new Float32Array(indices.length * size);
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k];
    checkIndex(dataset, i, k);
    const src = dataset.images.subarray(i * size, (i + 1) * size);
    const base = k * size;
    for (let p = 0; p < size; p++) values[base + p] = TO_UNIT[src[p]];
  }
  return values;
}

/**
 * The images at `indices` (default: all, in order) as a float32 NHWC tensor in [-1, 1]. The
 * caller owns (and disposes) the tensor.
 * @throws {@link DataConfigError} for an index outside the data set
 */
export function toTensor(dataset: ImageDataset, indices?: ArrayLike<number>): tf.Tensor4D {
  const idx = indices ?? Int32Array.from({ length: dataset.count }, (_, i) => i);
  return tf.tensor4d(imagesToFloat(dataset, idx), [idx.length, dataset.height, dataset.width, dataset.channels]);
}

/** The labels at `indices` (default: all) as an int32 tensor; the caller disposes it. */
export function labelsToTensor(dataset: ImageDataset, indices?: ArrayLike<number>): tf.Tensor1D {
  const idx = indices ?? Int32Array.from({ length: dataset.count }, (_, i) => i);
  const labels = new Int32Array(idx.length);
  for (let k = 0; k < idx.length; k++) {
    checkIndex(dataset, idx[k], k);
    labels[k] = dataset.labels[idx[k]];
  }
  return tf.tensor1d(labels, 'int32');
}

/** [-1, 1] floats -> bytes: round((v + 1) * 127.5), clipped to 0..255; NaN gives 0. */
export function floatToBytes(values: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = Math.round((values[i] + 1) * 127.5);
    out[i] = v > 255 ? 255 : v > 0 ? v : 0;
  }
  return out;
}

function checkImageTensor(x: tf.Tensor): void {
  if (x.rank !== 3 && x.rank !== 4) {
    throw new DataConfigError(`fromTensor: expected an NHWC (rank 4) or HWC (rank 3) image tensor, got shape [${x.shape}]`);
  }
}

/**
 * A [-1, 1] image tensor (NHWC or HWC) back to uint8 bytes in the same layout,
 * round((x + 1) * 127.5) clipped to 0..255. Does not dispose `x`.
 */
export async function fromTensor(x: tf.Tensor): Promise<Uint8Array> {
  checkImageTensor(x);
  return floatToBytes((await x.data()) as Float32Array);
}

/** {@link fromTensor}, synchronously (blocks on the backend, e.g. a GPU read-back). */
export function fromTensorSync(x: tf.Tensor): Uint8Array {
  checkImageTensor(x);
  return floatToBytes(x.dataSync() as Float32Array);
}

/**
 * Wraps an NHWC [-1, 1] tensor (e.g. generated samples) as an {@link ImageDataset}, with `labels`
 * (default all 0) and `classNames` (default one class, 'unlabelled'). Does not dispose `x`.
 * @throws {@link DataConfigError} when the shape, labels or class names disagree
 */
export async function datasetFromTensor(
  x: tf.Tensor4D,
  options: { name?: string; labels?: ArrayLike<number>; classNames?: readonly string[] } = {},
): Promise<ImageDataset> {
  if (x.rank !== 4) throw new DataConfigError(`datasetFromTensor: expected an NHWC tensor, got shape [${x.shape}]`);
  const [count, height, width, channels] = x.shape;
  const classNames = [...(options.classNames ?? ['unlabelled'])];
  const labels = options.labels ? Int32Array.from(options.labels) : new Int32Array(count);
  if (labels.length !== count) {
    throw new DataConfigError(`datasetFromTensor: labels has ${labels.length} entries for ${count} images`);
  }
  return createImageDataset({
    name: options.name ?? 'tensor',
    images: await fromTensor(x),
    labels,
    count,
    height,
    width,
    channels,
    numClasses: classNames.length,
    classNames,
  });
}
