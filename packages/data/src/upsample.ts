import * as tf from '@tensorflow/tfjs';
import { checkImages } from './downsample-area';
import { DataConfigError } from './parse-config';

/** Interpolation for {@link upsample}. */
export type UpsampleMode = 'nearest' | 'bilinear';

/**
 * Enlarges an NHWC tensor to `size` (height = width, or [height, width]).
 *
 * - `nearest` repeats pixels; with an integer factor every input pixel becomes an exact
 *   factor x factor block, so `downsampleArea(upsample(x, ..., 'nearest'), factor)` is `x`.
 * - `bilinear` interpolates with half-pixel centres (`alignCorners = false`,
 *   `halfPixelCenters = true`, clamped at the border: the convention of PyTorch's
 *   `align_corners=False` and PIL), so the image is not shifted. For a factor of 2,
 *   area-downsampling the result again applies the symmetric filter [1/8, 3/4, 1/8] per axis
 *   (border rows: [7/8, 1/8]): constants and interior linear ramps come back exactly and the mean
 *   is kept.
 *
 * Returns a new tensor (a clone when the size is unchanged); `x` is not disposed.
 * @throws {@link DataConfigError} when `size` is smaller than the input (use downsampleArea)
 */
export function upsample(x: tf.Tensor4D, size: number | readonly [number, number], mode: UpsampleMode = 'nearest'): tf.Tensor4D {
  checkImages(x, 'upsample');
  const [h, w] = typeof size === 'number' ? [size, size] : size;
  if (!(Number.isInteger(h) && Number.isInteger(w) && h >= x.shape[1] && w >= x.shape[2])) {
    throw new DataConfigError(
      `upsample: target ${h}x${w} must be whole numbers no smaller than the ${x.shape[1]}x${x.shape[2]} input; shrink with downsampleArea`,
    );
  }
  if (h === x.shape[1] && w === x.shape[2]) return tf.clone(x);
  if (mode === 'nearest') return tf.image.resizeNearestNeighbor(x, [h, w], false, true);
  if (mode === 'bilinear') return tf.image.resizeBilinear(x, [h, w], false, true);
  throw new DataConfigError(`upsample: mode must be 'nearest' or 'bilinear', got '${String(mode)}'`);
}
