import * as tf from '@tensorflow/tfjs';
import { LatentInputError } from './errors';
import { tensorBatches, sourceCount, type ImageSource } from './image-source';
import type { LatentAdapter } from './latent-adapter';
import type { StreamOptions } from './latent-stats';

/** Per-image PSNR is capped here, so an exact reconstruction does not make the mean infinite. */
export const MAX_PSNR = 100;

export interface ReconstructionQuality {
  /** Mean over images of 10 log10(2^2 / mse_image) dB (data range 2 for [-1, 1]), each capped at {@link MAX_PSNR}. */
  psnr: number;
  /** Mean squared error over every pixel. */
  mse: number;
  count: number;
}

/**
 * How well `decode(encode(x))` reproduces the images: encode (posterior mean), decode (guarded,
 * clipped to [-1, 1]) and compare, batch by batch, in float64.
 */
export async function reconstructionPsnr(adapter: LatentAdapter, images: ImageSource, options: StreamOptions = {}): Promise<ReconstructionQuality> {
  const total = sourceCount(images);
  let psnrSum = 0;
  let sqSum = 0;
  let values = 0;
  let count = 0;
  for await (const x of tensorBatches(images, options.batchSize ?? 128)) {
    try {
      const perImage = tf.tidy(() => {
        const y = adapter.decode(adapter.encode(x));
        return tf.mean(tf.reshape(tf.square(tf.sub(y, x)), [x.shape[0], -1]), 1);
      });
      const mses = await perImage.data();
      perImage.dispose();
      const pixels = x.size / x.shape[0];
      for (const m of mses) {
        psnrSum += m > 0 ? Math.min(10 * Math.log10(4 / m), MAX_PSNR) : MAX_PSNR;
        sqSum += m * pixels;
        values += pixels;
      }
      count += x.shape[0];
    } finally {
      x.dispose();
    }
    options.onProgress?.({ done: count, total });
  }
  if (count === 0) throw new LatentInputError('reconstructionPsnr: no images');
  return { psnr: psnrSum / count, mse: sqSum / values, count };
}
