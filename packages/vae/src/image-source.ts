import * as tf from '@tensorflow/tfjs';
import { toTensor, type ImageDataset } from '@lowdiff/data';
import { LatentInputError } from './errors';

/** A batch stream item: `batches()` gives these (labels are disposed here, unused). */
export interface TensorBatch {
  images: tf.Tensor4D;
  labels?: tf.Tensor;
}

/**
 * Images to stream through an adapter: one NHWC tensor in [-1, 1] (not disposed), an
 * ImageDataset (converted batch by batch), or a stream of batches (their tensors are disposed
 * after use).
 */
export type ImageSource = tf.Tensor4D | ImageDataset | Iterable<TensorBatch> | AsyncIterable<TensorBatch>;

function isDataset(s: ImageSource): s is ImageDataset {
  return (s as ImageDataset).images instanceof Uint8Array;
}

/** How many images a source holds, where it knows (streams do not). */
export function sourceCount(s: ImageSource): number | undefined {
  if (s instanceof tf.Tensor) return s.shape[0];
  if (isDataset(s)) return s.count;
  return undefined;
}

/**
 * Yields the source's images as tensors of at most `batchSize` images, in order. The consumer
 * disposes each yielded tensor; an early `break` leaves nothing behind.
 */
export async function* tensorBatches(source: ImageSource, batchSize: number): AsyncGenerator<tf.Tensor4D> {
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new LatentInputError(`batchSize must be an integer >= 1, got ${batchSize}`);
  if (source instanceof tf.Tensor) {
    if (source.rank !== 4) throw new LatentInputError(`expected an NHWC (rank 4) tensor, got shape [${source.shape}]`);
    const n = source.shape[0];
    for (let i = 0; i < n; i += batchSize) {
      const size = Math.min(batchSize, n - i);
      yield tf.slice(source, [i, 0, 0, 0], [size, -1, -1, -1]);
    }
    return;
  }
  if (isDataset(source)) {
    for (let i = 0; i < source.count; i += batchSize) {
      const size = Math.min(batchSize, source.count - i);
      yield toTensor(source, Int32Array.from({ length: size }, (_, k) => i + k));
    }
    return;
  }
  for await (const b of source as AsyncIterable<TensorBatch>) {
    b.labels?.dispose();
    yield b.images;
  }
}
