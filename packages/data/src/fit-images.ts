import { convertChannels } from './convert-channels';
import { DataConfigError } from './parse-config';
import type { Fit } from './load-options';
import { padImages } from './pad-image';
import { centerCropSquare, resizeImages } from './resize-image';

/**
 * Brings `count` images of height x width x channels to size x size by `fit` (see
 * {@link FitSchema}) and then to `outChannels` channels.
 * @throws {@link DataConfigError} when `pad` would have to shrink the images
 */
export function fitImages(
  src: Uint8Array,
  count: number,
  height: number,
  width: number,
  channels: number,
  size: number,
  fit: Fit,
  outChannels: number,
): Uint8Array {
  // Channel conversion first when it shrinks the data, last when it grows it.
  let data = outChannels < channels ? convertChannels(src, count * height * width, channels, outChannels) : src;
  const c = Math.min(channels, outChannels);
  if (fit === 'pad') {
    if (size < height || size < width) {
      throw new DataConfigError(
        `fit 'pad' cannot bring ${height}x${width} images to ${size}x${size} without shrinking them; use fit 'resize' or 'crop', or size >= ${Math.max(height, width)}`,
      );
    }
    data = padImages(data, count, height, width, c, size, size);
  } else if (fit === 'resize' || height === width) {
    data = resizeImages(data, count, height, width, c, size, size);
  } else {
    const per = height * width * c;
    const out = new Uint8Array(count * size * size * c);
    for (let n = 0; n < count; n++) {
      const sq = centerCropSquare(data.subarray(n * per, (n + 1) * per), height, width, c);
      out.set(resizeImages(sq.data, 1, sq.size, sq.size, c, size, size), n * size * size * c);
    }
    data = out;
  }
  if (outChannels > c) data = convertChannels(data, count * size * size, c, outChannels);
  return data;
}
