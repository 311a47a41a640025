/**
 * Resampling of uint8 HWC images in plain JavaScript, one axis at a time.
 *
 * Shrinking an axis averages the source pixels each output pixel covers, weighted by the covered
 * fraction (an exact box/area filter, also for non-integer ratios), so no source pixel is skipped
 * and no aliasing creeps in. Growing an axis interpolates linearly with half-pixel centres
 * (source x = (x_out + 0.5) * in / out - 0.5, clamped at the border), the convention of
 * `tf.image.resizeBilinear(..., halfPixelCenters = true)` and PIL. An unchanged axis is copied.
 */

/** The source taps of every output position along one axis. */
interface AxisTaps {
  /** taps of output o: entries start[o] .. start[o + 1] - 1 of index / weight */
  start: Int32Array;
  index: Int32Array;
  weight: Float64Array;
}

function axisTaps(inSize: number, outSize: number): AxisTaps {
  const start = new Int32Array(outSize + 1);
  const index: number[] = [];
  const weight: number[] = [];
  const scale = inSize / outSize;
  for (let o = 0; o < outSize; o++) {
    start[o] = index.length;
    if (inSize === outSize) {
      index.push(o);
      weight.push(1);
    } else if (outSize < inSize) {
      const lo = o * scale;
      const hi = (o + 1) * scale;
      for (let i = Math.floor(lo); i < Math.min(inSize, Math.ceil(hi)); i++) {
        const covered = Math.min(hi, i + 1) - Math.max(lo, i);
        if (covered > 1e-12) {
          index.push(i);
          weight.push(covered / scale);
        }
      }
    } else {
      const x = (o + 0.5) * scale - 0.5;
      const i0 = Math.floor(x);
      const t = x - i0;
      index.push(Math.min(inSize - 1, Math.max(0, i0)), Math.min(inSize - 1, Math.max(0, i0 + 1)));
      weight.push(1 - t, t);
    }
  }
  start[outSize] = index.length;
  return { start, index: Int32Array.from(index), weight: Float64Array.from(weight) };
}

/**
 * Resamples one HWC uint8 image to outHeight x outWidth (area filter when shrinking, bilinear
 * with half-pixel centres when growing), rounding to the nearest byte.
 */
export function resizeImage(
  src: Uint8Array,
  height: number,
  width: number,
  channels: number,
  outHeight: number,
  outWidth: number,
): Uint8Array {
  return resizeImages(src, 1, height, width, channels, outHeight, outWidth);
}

/** {@link resizeImage} for `count` images stored back to back (NHWC). */
export function resizeImages(
  src: Uint8Array,
  count: number,
  height: number,
  width: number,
  channels: number,
  outHeight: number,
  outWidth: number,
): Uint8Array {
  if (height === outHeight && width === outWidth) return src.slice(0, count * height * width * channels);
  const xs = axisTaps(width, outWidth);
  const ys = axisTaps(height, outHeight);
  const c = channels;
  const rows = new Float64Array(height * outWidth * c);
  const out = new Uint8Array(count * outHeight * outWidth * c);
  for (let n = 0; n < count; n++) {
    const base = n * height * width * c;
    for (let y = 0; y < height; y++) {
      for (let o = 0; o < outWidth; o++) {
        for (let ch = 0; ch < c; ch++) {
          let acc = 0;
          for (let t = xs.start[o]; t < xs.start[o + 1]; t++) acc += xs.weight[t] * src[base + (y * width + xs.index[t]) * c + ch];
          rows[(y * outWidth + o) * c + ch] = acc;
        }
      }
    }
    const outBase = n * outHeight * outWidth * c;
    for (let o = 0; o < outHeight; o++) {
      for (let x = 0; x < outWidth * c; x++) {
        let acc = 0;
        for (let t = ys.start[o]; t < ys.start[o + 1]; t++) acc += ys.weight[t] * rows[ys.index[t] * outWidth * c + x];
        out[outBase + o * outWidth * c + x] = Math.min(255, Math.max(0, Math.round(acc)));
      }
    }
  }
  return out;
}

/**
 * Crops the centred largest square of one HWC image (the extra rows or columns are split evenly,
 * the odd one taken from the bottom or right).
 */
export function centerCropSquare(
  src: Uint8Array,
  height: number,
  width: number,
  channels: number,
): { data: Uint8Array; size: number } {
  const size = Math.min(height, width);
  if (height === width) return { data: src, size };
  const top = Math.floor((height - size) / 2);
  const left = Math.floor((width - size) / 2);
  const data = new Uint8Array(size * size * channels);
  for (let y = 0; y < size; y++) {
    const from = ((top + y) * width + left) * channels;
    data.set(src.subarray(from, from + size * channels), y * size * channels);
  }
  return { data, size };
}
