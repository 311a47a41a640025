import * as tf from '@tensorflow/tfjs';
import { Rng } from '@lowdiff/backend';
import type { NoiseSource } from './denoiser';
import { SamplerError } from './sampler-error';

/**
 * What a random draw of the cascade is for: the last key of its stream,
 * `Rng.derive(seed, sampleIndex, stageIndex, purpose)`.
 */
export const NOISE_PURPOSE = {
  /** The stage's starting noise (sigma_max noise, or the noise added to the upsampled image). */
  start: 0,
  /** The noise that augments the condition: condition = upsampled + sigma_aug * noise. */
  conditionAug: 1,
  /** The churn sampler's per-step noise, drawn in step order. */
  churn: 2,
} as const;

/** One of {@link NOISE_PURPOSE}'s values. */
export type NoisePurpose = (typeof NOISE_PURPOSE)[keyof typeof NOISE_PURPOSE];

/**
 * The streams of samples firstIndex .. firstIndex + count - 1 for one stage and purpose. Each
 * depends only on (seed, sample index, stage, purpose), so an image does not change with the batch
 * it is generated in.
 */
export function sampleStreams(seed: number, firstIndex: number, count: number, stageIndex: number, purpose: NoisePurpose): Rng[] {
  return Array.from({ length: count }, (_, i) => Rng.derive(seed, firstIndex + i, stageIndex, purpose));
}

/**
 * A noise source whose row i comes from `streams[i]`: every call draws the next
 * prod(shape[1:]) standard normals of each stream.
 */
export function perSampleNoise(streams: readonly Rng[]): NoiseSource {
  return (shape) => {
    if (shape[0] !== streams.length) {
      throw new SamplerError(`perSampleNoise: asked for ${shape[0]} rows but holds ${streams.length} sample streams`);
    }
    const perSample = shape.slice(1).reduce((a, b) => a * b, 1);
    const values = new Float32Array(perSample * streams.length);
    streams.forEach((rng, i) => values.set(rng.normalArray(perSample), i * perSample));
    return tf.tensor(values, shape, 'float32');
  };
}
