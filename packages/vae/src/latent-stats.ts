import { LatentInputError } from './errors';
import type { KlAdapterBase } from './kl-adapter';
import { tensorBatches, sourceCount, type ImageSource } from './image-source';
import type { LatentNormalisation } from './latent-normalisation';

/** Per-channel statistics of raw latents. */
export interface LatentStats {
  mean: number[];
  std: number[];
  /** Latent values per channel that went in (images x latent height x width). */
  count: number;
}

export interface StreamOptions {
  batchSize?: number;
  onProgress?: (p: { done: number; total: number | undefined }) => void;
}

/**
 * Streams per-channel sums into float64 running moments (Chan et al.'s pairwise update), so the
 * result does not depend on float32 accumulation over tens of millions of values.
 */
export class ChannelMoments {
  readonly n: number[];
  readonly mean: number[];
  readonly m2: number[];

  constructor(readonly channels: number) {
    this.n = Array(channels).fill(0);
    this.mean = Array(channels).fill(0);
    this.m2 = Array(channels).fill(0);
  }

  /** Adds NHWC-ordered values (channel = index % channels). */
  add(values: ArrayLike<number>): void {
    const c = this.channels;
    const count = values.length / c;
    for (let ch = 0; ch < c; ch++) {
      let sum = 0;
      for (let i = ch; i < values.length; i += c) sum += values[i];
      const bMean = sum / count;
      let bM2 = 0;
      for (let i = ch; i < values.length; i += c) bM2 += (values[i] - bMean) ** 2;
      const n = this.n[ch] + count;
      const delta = bMean - this.mean[ch];
      this.mean[ch] += (delta * count) / n;
      this.m2[ch] += bM2 + (delta * delta * this.n[ch] * count) / n;
      this.n[ch] = n;
    }
  }

  /** Population standard deviation per channel. */
  std(): number[] {
    return this.m2.map((m, i) => Math.sqrt(m / Math.max(this.n[i], 1)));
  }
}

/**
 * Per-channel mean and standard deviation of the encoder's posterior means over `images`
 * (LightningDiT-style latent normalisation), accumulated in float64. Turn the result into the
 * adapter's normalisation with {@link perChannelNormalisation} and `setNormalisation`.
 */
export async function measureLatentStats(adapter: KlAdapterBase, images: ImageSource, options: StreamOptions = {}): Promise<LatentStats> {
  const moments = new ChannelMoments(adapter.latentChannels);
  const total = sourceCount(images);
  let done = 0;
  for await (const x of tensorBatches(images, options.batchSize ?? 128)) {
    try {
      const { mean, logvar } = adapter.posterior(x);
      logvar.dispose();
      moments.add(await mean.data());
      mean.dispose();
      done += x.shape[0];
    } finally {
      x.dispose();
    }
    options.onProgress?.({ done, total });
  }
  if (moments.n[0] === 0) throw new LatentInputError('measureLatentStats: no images');
  return { mean: [...moments.mean], std: moments.std(), count: moments.n[0] };
}

/** The normalisation z_norm = (z - mean[c]) / std[c] for measured statistics. */
export function perChannelNormalisation(stats: LatentStats): LatentNormalisation {
  return { kind: 'per-channel', mean: [...stats.mean], std: stats.std.map((s) => Math.max(s, 1e-8)), count: stats.count };
}
