import * as tf from '@tensorflow/tfjs';
import { downsampleArea } from '@lowdiff/data';
import { z } from 'zod';
import { MetricsError, parseOptions } from './errors';
import type { MetricScore } from './metric-score';

/**
 * Per-image mean squared errors below this are floored, so identical images score a finite
 * 10 log10(range² / 1e-12) dB (126 dB for range 2) instead of Infinity, which would poison the mean.
 */
export const MSE_FLOOR = 1e-12;

/** Options of {@link lowResConsistency}. */
export const LowResConsistencyOptionsSchema = z.object({
  /** Peak-to-peak range of the images; 2 for the library's [-1, 1]. */
  dataRange: z.number().positive('must be > 0').default(2),
});
export type LowResConsistencyOptions = z.input<typeof LowResConsistencyOptionsSchema>;

/** {@link lowResConsistency}'s score plus the per-image PSNRs. */
export type LowResConsistencyScore = MetricScore & { perImage: number[] };


/**
 * Low-resolution consistency of a cascade: PSNR between the final image, area-downsampled to the
 * first stage's resolution, and the first stage's output. High values mean the refinement stages
 * kept the layout the first stage decided; low values mean they drifted from it.
 * `value` is the mean of the per-image PSNRs (dB), `std` their population standard deviation.
 *
 * @param final - `[n, H, W, C]` final images in [-1, 1]
 * @param firstStage - `[n, h, w, C]` first-stage outputs, with H / h = W / w an integer
 * @throws {@link MetricsError} on mismatched batch, channels or a non-integer ratio
 */
export function lowResConsistency(
  final: tf.Tensor4D,
  firstStage: tf.Tensor4D,
  options: LowResConsistencyOptions = {},
): LowResConsistencyScore {
  const opts = parseOptions(LowResConsistencyOptionsSchema, options, 'LowResConsistencyOptions');
  const [n, H, W, C] = final.shape;
  const [n2, h, w, c2] = firstStage.shape;
  if (n !== n2 || C !== c2) {
    throw new MetricsError(`lowResConsistency: final is ${final.shape.join('x')} but firstStage is ${firstStage.shape.join('x')}; batch and channels must match`);
  }
  if (n === 0) throw new MetricsError('lowResConsistency: no images');
  const factor = H / h;
  if (!Number.isInteger(factor) || W / w !== factor) {
    throw new MetricsError(`lowResConsistency: final ${H}x${W} is not an integer multiple (same in both axes) of firstStage ${h}x${w}`);
  }
  const mse = tf.tidy(() => {
    const down = downsampleArea(final, factor);
    return tf.mean(tf.squaredDifference(down, firstStage), [1, 2, 3]);
  });
  const errors = mse.dataSync();
  mse.dispose();
  const peak2 = opts.dataRange * opts.dataRange;
  const perImage = Array.from(errors, (e) => 10 * Math.log10(peak2 / Math.max(e, MSE_FLOOR)));
  const mean = perImage.reduce((a, b) => a + b, 0) / n;
  const std = Math.sqrt(perImage.reduce((a, v) => a + (v - mean) ** 2, 0) / n);
  return { name: 'low-res-psnr', value: mean, std, extractor: 'pixels', count: n, warnings: [], perImage };
}
