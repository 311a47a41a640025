import * as tf from '@tensorflow/tfjs';
import { Rng } from '@lowdiff/backend';
import type { DropoutSource } from './layers/context';

/**
 * Dropout masks drawn per sample: the mask of sample i at the k-th dropout layer of a step comes
 * from `Rng.derive(seed, k, i)`. A slice of the batch draws exactly its rows of the masks the
 * whole batch would, so gradients split over workers add up to the one-worker gradient, and a
 * training graph on ONNX Runtime fed {@link SampleMasks.values} drops what tfjs drops.
 */
export class SampleMasks implements DropoutSource {
  private layer = 0;

  constructor(
    private readonly seed: number,
    /** Index of the slice's first sample in the batch. */
    private readonly firstSample: number,
  ) {}

  /** The next layer's mask as an NHWC-ordered array (0, or 1 / (1 - rate)); shape[0] is the slice's batch. */
  values(shape: readonly number[], rate: number): Float32Array {
    if (!(rate >= 0 && rate < 1)) throw new Error(`dropout rate must be in [0, 1), got ${rate}`);
    const k = this.layer++;
    const perSample = shape.slice(1).reduce((a, b) => a * b, 1);
    const out = new Float32Array(shape[0] * perSample);
    const keep = 1 / (1 - rate);
    for (let i = 0; i < shape[0]; i++) {
      const rng = Rng.derive(this.seed, k, this.firstSample + i);
      for (let j = 0; j < perSample; j++) out[i * perSample + j] = rng.uniform() < rate ? 0 : keep;
    }
    return out;
  }

  dropoutMask(shape: number[], rate: number): tf.Tensor {
    return tf.tensor(this.values(shape, rate), shape, 'float32');
  }
}
