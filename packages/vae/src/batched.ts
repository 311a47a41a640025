import * as tf from '@tensorflow/tfjs';
import { LatentInputError } from './errors';
import { tensorBatches, sourceCount, type ImageSource } from './image-source';
import type { EncodeOptions, LatentAdapter } from './latent-adapter';
import type { StreamOptions } from './latent-stats';

/** Runs `fn` over batches and gathers the results into one tensor, holding one batch at a time. */
async function mapInBatches(
  source: ImageSource,
  fn: (x: tf.Tensor4D) => tf.Tensor4D,
  options: StreamOptions,
): Promise<tf.Tensor4D> {
  const total = sourceCount(source);
  const chunks: Float32Array[] = [];
  let shape: number[] | null = null;
  let n = 0;
  for await (const x of tensorBatches(source, options.batchSize ?? 64)) {
    try {
      const y = fn(x);
      shape = y.shape;
      chunks.push((await y.data()) as Float32Array);
      y.dispose();
      n += x.shape[0];
    } finally {
      x.dispose();
    }
    options.onProgress?.({ done: n, total });
  }
  if (!shape) throw new LatentInputError('no images to process');
  // One allocation at the end: concatenating tensors would hold every batch twice.
  const values = new Float32Array(chunks.reduce((s, c) => s + c.length, 0));
  let offset = 0;
  for (const c of chunks) {
    values.set(c, offset);
    offset += c.length;
  }
  return tf.tensor4d(values, [n, shape[1], shape[2], shape[3]]);
}

/**
 * `adapter.encode` over any number of images, `batchSize` (default 64) at a time, into one
 * tensor of normalised latents (the caller disposes it). With `sample`, posterior samples are
 * drawn in order from that generator.
 */
export function encodeInBatches(adapter: LatentAdapter, images: ImageSource, options: StreamOptions & EncodeOptions = {}): Promise<tf.Tensor4D> {
  return mapInBatches(images, (x) => adapter.encode(x, { sample: options.sample }), options);
}

/** `adapter.decode` over any number of latents, `batchSize` (default 64) at a time, into one image tensor. */
export function decodeInBatches(adapter: LatentAdapter, latents: tf.Tensor4D, options: StreamOptions = {}): Promise<tf.Tensor4D> {
  return mapInBatches(latents, (z) => adapter.decode(z), options);
}
