import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { createImageDataset, type ImageDataset } from '../src';

/** A fresh temporary directory and a function that removes it. */
export function tempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `lowdiff-data-${prefix}-`));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Encodes height x width RGB (or RGBA when `alpha`) bytes as a PNG. */
export function encodePng(rgb: Uint8Array, height: number, width: number, alpha?: Uint8Array): Buffer {
  const png = new PNG({ width, height });
  for (let p = 0; p < width * height; p++) {
    png.data[4 * p] = rgb[3 * p];
    png.data[4 * p + 1] = rgb[3 * p + 1];
    png.data[4 * p + 2] = rgb[3 * p + 2];
    png.data[4 * p + 3] = alpha ? alpha[p] : 255;
  }
  return PNG.sync.write(png);
}

/** Encodes height x width RGB bytes as a JPEG of the given quality. */
export function encodeJpeg(rgb: Uint8Array, height: number, width: number, quality = 100): Buffer {
  const rgba = new Uint8Array(width * height * 4);
  for (let p = 0; p < width * height; p++) {
    rgba.set(rgb.subarray(3 * p, 3 * p + 3), 4 * p);
    rgba[4 * p + 3] = 255;
  }
  return jpeg.encode({ data: rgba, width, height }, quality).data;
}

/** A height x width image of one RGB colour. */
export function solid(height: number, width: number, [r, g, b]: [number, number, number]): Uint8Array {
  const out = new Uint8Array(height * width * 3);
  for (let p = 0; p < height * width; p++) out.set([r, g, b], 3 * p);
  return out;
}

/**
 * `count` 2x2 grayscale images whose pixels all equal their index mod 256, labels i mod
 * numClasses: every batch's content can be checked against its indices.
 */
export function indexedDataset(count: number, numClasses = 3): ImageDataset {
  const images = new Uint8Array(count * 4);
  for (let i = 0; i < count; i++) images.fill(i % 256, 4 * i, 4 * i + 4);
  return createImageDataset({
    name: 'indexed',
    images,
    labels: Int32Array.from({ length: count }, (_, i) => i % numClasses),
    count,
    height: 2,
    width: 2,
    channels: 1,
    numClasses,
    classNames: Array.from({ length: numClasses }, (_, c) => `c${c}`),
  });
}
