import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { DatasetError } from './dataset-error';

/** A decoded image: height x width RGB bytes, row-major, interleaved. */
export interface DecodedImage {
  data: Uint8Array;
  height: number;
  width: number;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47];

/**
 * The largest image decoded, in pixels (4096 x 4096). Data sets here are tiny images; a file
 * claiming more is a mistake or a decompression bomb (a small PNG can claim gigapixels).
 */
export const MAX_IMAGE_PIXELS = 4096 * 4096;

function checkBudget(width: number, height: number, file: string): void {
  if (width * height > MAX_IMAGE_PIXELS)
    throw new DatasetError(`${file} is ${width}x${height} pixels, over the ${MAX_IMAGE_PIXELS.toLocaleString('en-US')}-pixel budget (resize it first)`, file);
}
const JPEG_SIGNATURE = [0xff, 0xd8, 0xff];

function startsWith(bytes: Uint8Array, signature: number[]): boolean {
  return signature.every((b, i) => bytes[i] === b);
}

/**
 * Decodes a PNG (any bit depth and colour type; 16-bit is scaled to 8) or a baseline/progressive
 * JPEG to 8-bit RGB. The format is told by the file's first bytes, not its name. Alpha is dropped
 * (the colour values are kept as stored, like PIL's `convert('RGB')`).
 * @throws {@link DatasetError} naming `file` when the bytes are neither format or do not decode
 */
export function decodeImage(bytes: Uint8Array, file: string): DecodedImage {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (startsWith(bytes, PNG_SIGNATURE)) {
    // The size is in the IHDR chunk (bytes 16-23), read before anything is inflated.
    if (bytes.length >= 24) {
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      checkBudget(view.getUint32(16), view.getUint32(20), file);
    }
    let png: PNG;
    try {
      png = PNG.sync.read(buffer);
    } catch (cause) {
      throw new DatasetError(`corrupt PNG image ${file}: ${(cause as Error).message}`, file, { cause });
    }
    const pixels = png.width * png.height;
    const data = new Uint8Array(pixels * 3);
    for (let p = 0; p < pixels; p++) {
      data[3 * p] = png.data[4 * p];
      data[3 * p + 1] = png.data[4 * p + 1];
      data[3 * p + 2] = png.data[4 * p + 2];
    }
    return { data, height: png.height, width: png.width };
  }
  if (startsWith(bytes, JPEG_SIGNATURE)) {
    try {
      const img = jpeg.decode(buffer, { useTArray: true, formatAsRGBA: false, maxResolutionInMP: MAX_IMAGE_PIXELS / 1e6, maxMemoryUsageInMB: 512 });
      if (img.data.length !== img.width * img.height * 3) throw new Error('decoder returned a truncated image');
      return { data: img.data, height: img.height, width: img.width };
    } catch (cause) {
      throw new DatasetError(`corrupt JPEG image ${file}: ${String((cause as Error).message ?? cause)}`, file, {
        cause,
      });
    }
  }
  throw new DatasetError(`${file} is neither a PNG nor a JPEG image (unrecognised first bytes)`, file);
}
