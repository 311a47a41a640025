import { fitImages } from './fit-images';
import { selectSamples, type ImageDataset } from './image-dataset';
import type { Fit, ResolvedLoadOptions } from './load-options';
import { limitIndices } from './subset';

/**
 * Applies the common loader options to a data set at its native size: `limit` first (so only the
 * kept images are processed), then `size` / `fit` / `channels`, falling back to `defaults`.
 * `raw` must be the caller's own copy: when nothing changes it is returned as is.
 */
export function prepareDataset(
  raw: ImageDataset,
  options: Pick<ResolvedLoadOptions, 'size' | 'fit' | 'channels' | 'limit' | 'limitSeed'>,
  defaults: { size: number; fit: Fit },
): ImageDataset {
  const limited =
    options.limit !== undefined && options.limit < raw.count
      ? selectSamples(raw, limitIndices(raw.count, options.limit, options.limitSeed))
      : raw;
  const size = options.size ?? defaults.size;
  const fit = options.fit ?? defaults.fit;
  const channels = options.channels ?? raw.channels;
  if (size === raw.height && size === raw.width && channels === raw.channels) {
    return limited;
  }
  const images = fitImages(limited.images, limited.count, raw.height, raw.width, raw.channels, size, fit, channels);
  return { ...limited, images, height: size, width: size, channels };
}
