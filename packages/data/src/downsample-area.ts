import * as tf from '@tensorflow/tfjs';
import { DataConfigError } from './parse-config';

/** How much to shrink: an integer factor, or the target size (height = width, or [height, width]). */
export type DownsampleBy = number | { size: number | readonly [number, number] };

function checkImages(x: tf.Tensor, what: string): asserts x is tf.Tensor4D {
  if (x.rank !== 4) throw new DataConfigError(`${what}: expected an NHWC (rank 4) tensor, got shape [${x.shape}]`);
}

/** The integer (fy, fx) shrink factors `by` means for an h x w input. */
function factors(h: number, w: number, by: DownsampleBy): [number, number] {
  if (typeof by === 'number') {
    if (!(Number.isInteger(by) && by >= 1)) throw new DataConfigError(`downsampleArea: factor must be an integer >= 1, got ${by}`);
    if (h % by !== 0 || w % by !== 0) {
      throw new DataConfigError(`downsampleArea: factor ${by} does not divide the ${h}x${w} input`);
    }
    return [by, by];
  }
  const [th, tw] = typeof by.size === 'number' ? [by.size, by.size] : by.size;
  if (!(Number.isInteger(th) && Number.isInteger(tw) && th >= 1 && tw >= 1 && h % th === 0 && w % tw === 0)) {
    throw new DataConfigError(`downsampleArea: target ${th}x${tw} must divide the ${h}x${w} input into whole blocks`);
  }
  return [h / th, w / tw];
}

/**
 * Area (box-filter) downsampling of an NHWC tensor: every output pixel is the mean of the
 * factor x factor block it covers, the anti-aliased "area" resize that builds LowDiff's
 * low-resolution training targets. Blocks must tile the input exactly. Returns a new tensor
 * (a clone when the factor is 1); `x` is not disposed.
 * @throws {@link DataConfigError} for a non-integer factor or a size that does not divide the input
 */
export function downsampleArea(x: tf.Tensor4D, by: DownsampleBy): tf.Tensor4D {
  checkImages(x, 'downsampleArea');
  const [fy, fx] = factors(x.shape[1], x.shape[2], by);
  if (fy === 1 && fx === 1) return tf.clone(x);
  return tf.avgPool(x, [fy, fx], [fy, fx], 'valid');
}

export { checkImages };
