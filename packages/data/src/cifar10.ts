import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { DatasetError } from './dataset-error';
import type { ImageDataset } from './image-dataset';
import { LoadOptionsSchema, type LoadOptions, type Split } from './load-options';
import { parseConfig } from './parse-config';
import { prepareDataset } from './prepare-dataset';

/** CIFAR-10's class names, by label (used when the directory has no batches.meta.txt). */
export const CIFAR10_CLASSES = [
  'airplane',
  'automobile',
  'bird',
  'cat',
  'deer',
  'dog',
  'frog',
  'horse',
  'ship',
  'truck',
] as const;

/** The files of each split of the binary version (`cifar-10-batches-bin`). */
export const CIFAR10_FILES = {
  train: ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin'],
  test: ['test_batch.bin'],
} as const;

const SIDE = 32;
const PLANE = SIDE * SIDE;
/** One record: a label byte, then the R, G and B planes, each 32x32 row-major. */
export const CIFAR10_RECORD_BYTES = 1 + 3 * PLANE;

function filesOf(split: Split): readonly string[] {
  return split === 'all' ? [...CIFAR10_FILES.train, ...CIFAR10_FILES.test] : CIFAR10_FILES[split];
}

async function checkDir(dir: string): Promise<void> {
  const info = await stat(dir).catch(() => undefined);
  if (!info) throw new DatasetError(`CIFAR-10 directory not found: ${dir}`, dir);
  if (!info.isDirectory()) throw new DatasetError(`CIFAR-10 path is not a directory: ${dir}`, dir);
}

async function readBatch(dir: string, name: string): Promise<Uint8Array> {
  const file = join(dir, name);
  const bytes = await readFile(file).catch((cause: NodeJS.ErrnoException) => {
    const why =
      cause.code === 'ENOENT'
        ? `CIFAR-10 file ${name} is missing in ${dir} (expected the binary version, cifar-10-batches-bin: ${[...CIFAR10_FILES.train, ...CIFAR10_FILES.test].join(', ')})`
        : `cannot read CIFAR-10 file ${file}: ${cause.message}`;
    throw new DatasetError(why, file, { cause });
  });
  if (bytes.length === 0 || bytes.length % CIFAR10_RECORD_BYTES !== 0) {
    throw new DatasetError(
      `CIFAR-10 file ${file} has ${bytes.length} bytes, not a positive multiple of ${CIFAR10_RECORD_BYTES} (1 label byte + 3072 pixel bytes per record)`,
      file,
    );
  }
  return bytes;
}

/** Class names from batches.meta.txt (one per line, blank lines ignored), else the standard ones. */
async function readClassNames(dir: string): Promise<string[]> {
  const file = join(dir, 'batches.meta.txt');
  const text = await readFile(file, 'utf8').catch((cause: NodeJS.ErrnoException) => {
    if (cause.code === 'ENOENT') return undefined;
    throw new DatasetError(`cannot read ${file}: ${cause.message}`, file, { cause });
  });
  if (text === undefined) return [...CIFAR10_CLASSES];
  const names = text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
  if (names.length !== CIFAR10_CLASSES.length) {
    throw new DatasetError(`${file} names ${names.length} classes; CIFAR-10 has ${CIFAR10_CLASSES.length}`, file);
  }
  return names;
}

/**
 * CIFAR-10 from its binary batches in `dir` (the `cifar-10-batches-bin` folder of the official
 * archive): `train` = data_batch_1..5.bin (50,000 images), `test` = test_batch.bin (10,000),
 * `all` = both; images in file order, 32x32 RGB. Class names come from batches.meta.txt when
 * present. Defaults: `size: 32`, `fit: 'resize'`. Not cached: the files are the user's.
 * @throws {@link DatasetError} naming the directory or file: missing, wrong size, label >= 10
 */
export async function loadCifar10(dir: string, options: LoadOptions = {}): Promise<ImageDataset> {
  const opts = parseConfig(LoadOptionsSchema, options, 'CIFAR-10 options');
  await checkDir(dir);
  const files = filesOf(opts.split);
  const classNames = await readClassNames(dir);
  const batches: Uint8Array[] = [];
  for (const [k, name] of files.entries()) {
    batches.push(await readBatch(dir, name));
    opts.onProgress?.({ done: k + 1, total: files.length, file: join(dir, name) });
  }
  const count = batches.reduce((a, b) => a + b.length / CIFAR10_RECORD_BYTES, 0);
  const images = new Uint8Array(count * 3 * PLANE);
  const labels = new Int32Array(count);
  let n = 0;
  batches.forEach((bytes, b) => {
    for (let r = 0; r < bytes.length / CIFAR10_RECORD_BYTES; r++, n++) {
      const rec = r * CIFAR10_RECORD_BYTES;
      const label = bytes[rec];
      if (label >= classNames.length) {
        throw new DatasetError(
          `CIFAR-10 file ${join(dir, files[b])}: record ${r} has label ${label}, not in 0..${classNames.length - 1}`,
          join(dir, files[b]),
        );
      }
      labels[n] = label;
      // Planar RGB -> interleaved HWC.
      const out = n * 3 * PLANE;
      for (let p = 0; p < PLANE; p++) {
        images[out + 3 * p] = bytes[rec + 1 + p];
        images[out + 3 * p + 1] = bytes[rec + 1 + PLANE + p];
        images[out + 3 * p + 2] = bytes[rec + 1 + 2 * PLANE + p];
      }
    }
  });
  const raw: ImageDataset = {
    name: `cifar10/${opts.split}`,
    images,
    labels,
    count,
    height: SIDE,
    width: SIDE,
    channels: 3,
    numClasses: classNames.length,
    classNames,
  };
  return prepareDataset(raw, opts, { size: SIDE, fit: 'resize' });
}
