import * as tf from '@tensorflow/tfjs';
import { checkImages, downsampleArea } from './downsample-area';
import { DataConfigError } from './parse-config';

/**
 * The resolution pyramid of a square NHWC batch: one area-downsampled tensor per entry of
 * `resolutions`, in the order given (e.g. [8, 16, 32] for a 32x32 batch; the full resolution
 * comes back as a clone). Each level is averaged straight from `x`; chaining 2x steps would give
 * the same numbers since block means of block means are block means. The caller disposes every
 * returned tensor; `x` is not disposed.
 * @throws {@link DataConfigError} for a non-square input or a resolution that does not divide it
 */
export function pyramid(x: tf.Tensor4D, resolutions: readonly number[]): tf.Tensor4D[] {
  checkImages(x, 'pyramid');
  const [, h, w] = x.shape;
  if (h !== w) throw new DataConfigError(`pyramid: expected square images, got ${h}x${w}`);
  for (const r of resolutions) {
    if (!(Number.isInteger(r) && r >= 1 && h % r === 0)) {
      throw new DataConfigError(`pyramid: resolution ${r} does not divide the input size ${h}`);
    }
  }
  return resolutions.map((r) => downsampleArea(x, { size: r }));
}

/** Pyramid levels for `levels` halvings: pyramidResolutions(32, 3) = [8, 16, 32]. */
export function pyramidResolutions(size: number, levels: number): number[] {
  if (!(Number.isInteger(levels) && levels >= 1)) throw new DataConfigError(`pyramidResolutions: levels must be an integer >= 1, got ${levels}`);
  const out: number[] = [];
  for (let l = levels - 1; l >= 0; l--) {
    const r = size / 2 ** l;
    if (!Number.isInteger(r)) throw new DataConfigError(`pyramidResolutions: ${size} cannot be halved ${levels - 1} times`);
    out.push(r);
  }
  return out;
}
