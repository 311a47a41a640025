import { PNG } from 'pngjs';
import { writeFileAtomic } from '@lowdiff/backend';
import { DataConfigError } from './parse-config';

/** A uint8 image (HWC), the edge format for writing files. */
export interface RgbImage {
  data: Uint8Array;
  height: number;
  width: number;
  /** 1 (grayscale) or 3 (RGB). */
  channels: number;
}

/** Encodes a grayscale or RGB image as PNG (8-bit, no alpha). */
export function encodePng(img: RgbImage): Uint8Array {
  const { data, height, width, channels } = img;
  if (channels !== 1 && channels !== 3) throw new DataConfigError(`encodePng: channels must be 1 or 3, got ${channels}`);
  if (data.length !== height * width * channels)
    throw new DataConfigError(`encodePng: ${data.length} bytes for a ${height}x${width}x${channels} image`);
  const png = new PNG({ width, height, colorType: channels === 1 ? 0 : 2, inputColorType: channels === 1 ? 0 : 2, inputHasAlpha: false });
  png.data = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return PNG.sync.write(png, { colorType: channels === 1 ? 0 : 2, inputColorType: channels === 1 ? 0 : 2, inputHasAlpha: false });
}

/** Writes a PNG atomically (temp file, then rename). */
export async function writePng(path: string, img: RgbImage): Promise<void> {
  await writeFileAtomic(path, encodePng(img));
}

/**
 * Tiles `count` images (NHWC bytes) into one image, `columns` per row, `pad` pixels of
 * `background` between them.
 */
export function imageGrid(
  images: Uint8Array,
  count: number,
  height: number,
  width: number,
  channels: number,
  options: { columns?: number; pad?: number; background?: number } = {},
): RgbImage {
  const columns = Math.max(1, Math.min(options.columns ?? Math.ceil(Math.sqrt(count)), count));
  const rows = Math.ceil(count / columns);
  const pad = options.pad ?? 2;
  const gh = rows * height + (rows + 1) * pad;
  const gw = columns * width + (columns + 1) * pad;
  const out = new Uint8Array(gh * gw * channels).fill(options.background ?? 255);
  const size = height * width * channels;
  for (let k = 0; k < count; k++) {
    const top = pad + Math.floor(k / columns) * (height + pad);
    const left = pad + (k % columns) * (width + pad);
    for (let y = 0; y < height; y++) {
      const src = k * size + y * width * channels;
      out.set(images.subarray(src, src + width * channels), ((top + y) * gw + left) * channels);
    }
  }
  return { data: out, height: gh, width: gw, channels };
}
