import { z } from 'zod';
import { createImageDataset, imagesToFloat } from '@lowdiff/data';
import { toBytes } from './generate';

/**
 * What the metrics score of a generated image.
 *
 * `png` (the default): the image a user gets. The sampler's floats stray outside [-1, 1]; the PNGs
 * `sample` writes clip and round them to 8 bits, and EDM's fid.py scores those PNGs, so scores
 * of the raw floats describe images nobody sees. The bytes come from `toBytes`, the very function
 * `writeSamples` saves with, and go back to floats through `imagesToFloat`, as the test split's
 * bytes do, so generated and real images reach the feature extractor on the same 256 levels.
 *
 * `raw`: the sampler's floats as they are (every score measured before this mode existed).
 */
export const ScoreModeSchema = z.enum(['png', 'raw']);
export type ScoreMode = z.infer<typeof ScoreModeSchema>;

export const DEFAULT_SCORE_MODE: ScoreMode = 'png';

/** How a score was measured, for captions and report lines. */
export function scoredAsText(mode: ScoreMode): string {
  return mode === 'png' ? 'scored as 8-bit images (clipped to [-1, 1] and rounded as the saved PNGs)' : "scored as the sampler's raw floats (not clipped or rounded)";
}

/**
 * NHWC float images (`shape` [n, h, w, c]) as the metrics see them in `mode`: for `png`, a new
 * array on the 8-bit grid in [-1, 1]; for `raw`, `values` itself.
 */
export function scoredImages(values: Float32Array, shape: readonly [number, number, number, number], mode: ScoreMode): Float32Array {
  if (mode === 'raw') return values;
  const [count, height, width, channels] = shape;
  // The generated set as the data set its PNG folder would load as (one unnamed class).
  const asLoaded = createImageDataset({ name: 'generated', images: toBytes(values), labels: new Int32Array(count), count, height, width, channels, numClasses: 1, classNames: ['generated'] });
  return imagesToFloat(asLoaded, Int32Array.from({ length: count }, (_, i) => i));
}
