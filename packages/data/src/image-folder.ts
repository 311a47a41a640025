import type { Dirent } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { DatasetError } from './dataset-error';
import { decodeImage } from './decode-image';
import { fitImages } from './fit-images';
import type { ImageDataset } from './image-dataset';
import { LoadOptionsSchema, type LoadOptions } from './load-options';
import { DataConfigError, parseConfig } from './parse-config';
import { limitIndices } from './subset';

/** File name endings read as images (case-insensitive); other files are skipped. */
export const IMAGE_EXTENSIONS = ['.png', '.jpg', '.jpeg'] as const;

const isImageName = (name: string) => (IMAGE_EXTENSIONS as readonly string[]).includes(extname(name).toLowerCase());
const byCodeUnits = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

async function isDirectory(dir: string, entry: Dirent): Promise<boolean> {
  if (entry.isDirectory()) return true;
  if (!entry.isSymbolicLink()) return false;
  return (await stat(join(dir, entry.name)).catch(() => undefined))?.isDirectory() ?? false;
}

/** Visible entries of `dir`, sorted by name (code units, so the order is the same in any locale). */
async function listVisible(dir: string): Promise<Dirent[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  return entries.filter((e) => !e.name.startsWith('.')).sort((a, b) => byCodeUnits(a.name, b.name));
}

/** The image files of one folder, sorted by name. */
async function imagesIn(dir: string): Promise<string[]> {
  const entries = await listVisible(dir);
  const files: string[] = [];
  for (const e of entries) if (isImageName(e.name) && !(await isDirectory(dir, e))) files.push(join(dir, e.name));
  return files;
}

interface FolderListing {
  classNames: string[];
  files: string[];
  labels: number[];
}

async function listFolder(dir: string): Promise<FolderListing> {
  const info = await stat(dir).catch(() => undefined);
  if (!info) throw new DatasetError(`image folder not found: ${dir}`, dir);
  if (!info.isDirectory()) throw new DatasetError(`image folder path is not a directory: ${dir}`, dir);
  const entries = await listVisible(dir);
  if (entries.length === 0) throw new DatasetError(`image folder is empty: ${dir}`, dir);
  const subdirs: string[] = [];
  for (const e of entries) if (await isDirectory(dir, e)) subdirs.push(e.name);
  const topImages = await imagesIn(dir);
  if (subdirs.length > 0 && topImages.length > 0) {
    throw new DatasetError(
      `image folder ${dir} mixes image files (${basename(topImages[0])}, ...) with class subfolders (${subdirs[0]}, ...); put every image in a class subfolder, or use a flat folder without subfolders`,
      dir,
    );
  }
  if (subdirs.length === 0) {
    if (topImages.length === 0) {
      const seen = entries.slice(0, 3).map((e) => e.name);
      throw new DatasetError(
        `no images in ${dir}: expected class subfolders or ${IMAGE_EXTENSIONS.join('/')} files, found ${seen.join(', ')}${entries.length > 3 ? ', ...' : ''}`,
        dir,
      );
    }
    return { classNames: [basename(dir)], files: topImages, labels: topImages.map(() => 0) };
  }
  const listing: FolderListing = { classNames: subdirs, files: [], labels: [] };
  const perClass = await Promise.all(subdirs.map((s) => imagesIn(join(dir, s))));
  if (perClass.every((f) => f.length === 0)) {
    throw new DatasetError(`no images in the class subfolders of ${dir} (${IMAGE_EXTENSIONS.join(', ')})`, dir);
  }
  perClass.forEach((files, c) => {
    if (files.length === 0) {
      throw new DatasetError(`class folder ${join(dir, subdirs[c])} has no images (${IMAGE_EXTENSIONS.join(', ')})`, join(dir, subdirs[c]));
    }
    listing.files.push(...files);
    listing.labels.push(...files.map(() => c));
  });
  return listing;
}

/**
 * Images from a folder: one subfolder per class (class index = position of the subfolder name in
 * sorted order), or a flat folder of images as a single class named after the folder. Reads PNG
 * and JPEG (by content), brings each image to `size` x `size` (default 32) by `fit` (default
 * `crop`: centred square, then area/bilinear resampling) and to `channels` (default 3). Files
 * whose names do not end in .png/.jpg/.jpeg, and names starting with '.', are skipped; images
 * are in class order, then file-name order. A folder has no split: `train` and `all` give every
 * image, `test` is refused. `limit` picks files before decoding. Not cached.
 * @throws {@link DatasetError} for a missing or empty folder, no images, a mix of images and class
 * folders, an empty class folder, or a corrupt image (named)
 */
export async function loadImageFolder(dir: string, options: LoadOptions = {}): Promise<ImageDataset> {
  const opts = parseConfig(LoadOptionsSchema, options, 'image folder options');
  if (opts.split === 'test') {
    throw new DataConfigError(
      `Invalid image folder options: split: an image folder has no test split; pass the test images as their own folder with split 'all'`,
    );
  }
  const size = opts.size ?? 32;
  const fit = opts.fit ?? 'crop';
  const channels = opts.channels ?? 3;
  const listing = await listFolder(dir);
  const keep =
    opts.limit !== undefined
      ? limitIndices(listing.files.length, opts.limit, opts.limitSeed)
      : Int32Array.from(listing.files, (_, i) => i);
  const bytes = size * size * channels;
  const images = new Uint8Array(keep.length * bytes);
  const labels = new Int32Array(keep.length);
  for (let k = 0; k < keep.length; k++) {
    const file = listing.files[keep[k]];
    const data = await readFile(file).catch((cause: Error) => {
      throw new DatasetError(`cannot read image ${file}: ${cause.message}`, file, { cause });
    });
    const img = decodeImage(data, file);
    try {
      images.set(fitImages(img.data, 1, img.height, img.width, 3, size, fit, channels), k * bytes);
    } catch (cause) {
      if (cause instanceof DataConfigError) throw new DataConfigError(`${file}: ${cause.message}`, [], { cause });
      throw cause;
    }
    labels[k] = listing.labels[keep[k]];
    opts.onProgress?.({ done: k + 1, total: keep.length, file });
  }
  return {
    name: `folder:${basename(dir)}/${opts.split}`,
    images,
    labels,
    count: keep.length,
    height: size,
    width: size,
    channels,
    numClasses: listing.classNames.length,
    classNames: listing.classNames,
  };
}
