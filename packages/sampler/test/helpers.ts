import * as tf from '@tensorflow/tfjs';
import { Rng } from '@lowdiff/backend';
import type { Denoiser } from '../src';
import type { SamplingDenoiser, StageCall, UnifiedDenoiser } from '../src/types';

/** A mixture of isotropic Gaussians in d dimensions; samples are [N, 1, 1, d] tensors. */
export interface Mixture {
  means: number[][];
  stds: number[];
  weights: number[];
}

export const MIXTURE: Mixture = {
  means: [
    [-0.6, -0.4],
    [0.5, 0.5],
    [0.3, -0.7],
  ],
  stds: [0.15, 0.1, 0.2],
  weights: [0.5, 0.3, 0.2],
};

/**
 * The exact EDM denoiser of a Gaussian mixture: E[x0 | x] = sum_k r_k(x) (mu_k + s_k^2 / (s_k^2 + sigma^2) (x - mu_k)),
 * with r_k proportional to w_k N(x; mu_k, (s_k^2 + sigma^2) I).
 */
export function mixtureDenoiser(m: Mixture): Denoiser {
  const d = m.means[0].length;
  return (x, sigma) =>
    tf.tidy(() => {
      const flat = tf.reshape(x, [-1, d]);
      const logits: tf.Tensor[] = [];
      const posteriors: tf.Tensor[] = [];
      m.means.forEach((mu, k) => {
        const variance = m.stds[k] ** 2 + sigma ** 2;
        const diff = tf.sub(flat, tf.tensor1d(mu));
        const sq = tf.sum(tf.square(diff), 1, true);
        logits.push(tf.sub(Math.log(m.weights[k]) - 0.5 * d * Math.log(2 * Math.PI * variance), tf.div(sq, 2 * variance)));
        posteriors.push(tf.add(tf.tensor1d(mu), tf.mul(diff, m.stds[k] ** 2 / variance)));
      });
      const r = tf.softmax(tf.concat(logits, 1), 1); // [N, K]
      const stacked = tf.stack(posteriors, 1); // [N, K, d]
      return tf.reshape(tf.sum(tf.mul(stacked, tf.expandDims(r, 2)), 1), x.shape) as tf.Tensor4D;
    });
}

/** The mixture's exact mean and covariance. */
export function mixtureMoments(m: Mixture): { mean: number[]; cov: number[][] } {
  const d = m.means[0].length;
  const mean = Array.from({ length: d }, (_, j) => m.means.reduce((s, mu, k) => s + m.weights[k] * mu[j], 0));
  const cov = Array.from({ length: d }, (_, a) =>
    Array.from({ length: d }, (_, b) =>
      m.means.reduce((s, mu, k) => s + m.weights[k] * ((a === b ? m.stds[k] ** 2 : 0) + mu[a] * mu[b]), 0) - mean[a] * mean[b],
    ),
  );
  return { mean, cov };
}

/** Empirical mean and covariance of rows of length d. */
export function empiricalMoments(values: Float32Array, d: number): { mean: number[]; cov: number[][] } {
  const n = values.length / d;
  const mean = Array.from({ length: d }, (_, j) => {
    let s = 0;
    for (let i = 0; i < n; i++) s += values[i * d + j];
    return s / n;
  });
  const cov = Array.from({ length: d }, (_, a) =>
    Array.from({ length: d }, (_, b) => {
      let s = 0;
      for (let i = 0; i < n; i++) s += (values[i * d + a] - mean[a]) * (values[i * d + b] - mean[b]);
      return s / n;
    }),
  );
  return { mean, cov };
}

/** Fraction of rows nearest to each mixture mean. */
export function nearestComponentShares(values: Float32Array, m: Mixture): number[] {
  const d = m.means[0].length;
  const counts = m.means.map(() => 0);
  for (let i = 0; i < values.length / d; i++) {
    let best = 0;
    let bestDist = Infinity;
    m.means.forEach((mu, k) => {
      const dist = mu.reduce((s, v, j) => s + (values[i * d + j] - v) ** 2, 0);
      if (dist < bestDist) [best, bestDist] = [k, dist];
    });
    counts[best]++;
  }
  return counts.map((c) => c / (values.length / d));
}

export function meanAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.mean(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

export function maxAbsDiff(a: tf.Tensor | Float32Array, b: tf.Tensor | Float32Array): number {
  const x = a instanceof tf.Tensor ? a.dataSync() : a;
  const y = b instanceof tf.Tensor ? b.dataSync() : b;
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i] - y[i]));
  return m;
}

/** One recorded call of a {@link FakeUnifiedModel}: plain arrays, so nothing outlives the call. */
export interface RecordedCall {
  resolution: number;
  shape: number[];
  sigma: number;
  x: Float32Array;
  condition: Float32Array | null;
  sigmaAug: number | undefined;
  classLabels: number[] | null;
}

/**
 * A fake unified model with an analytic denoiser, recording every call. Stage data are Gaussian:
 * at the first stage x0 ~ N(0, s^2 I); at later stages x0 ~ N(condition, s^2 I) - the refinement
 * keeps the condition and adds detail - so D = m + s^2 / (s^2 + sigma^2) (x - m). A class label c
 * shifts the mean by `classShift * c` (the null class: no shift), so guidance has an effect.
 */
export class FakeUnifiedModel implements UnifiedDenoiser {
  readonly calls: RecordedCall[] = [];
  readonly sigmaData = 0.5;

  constructor(
    readonly resolutions: readonly number[] = [8, 16, 32],
    readonly channels = 1,
    readonly numClasses = 0,
    readonly std = 0.5,
    readonly classShift = 0.1,
    private readonly record = true,
  ) {}

  denoise(x: tf.Tensor4D, sigma: number | Float32Array, call: StageCall): tf.Tensor4D {
    if (typeof sigma !== 'number') throw new Error('FakeUnifiedModel: per-sample sigma not expected');
    if (x.shape[1] !== call.resolution || x.shape[2] !== call.resolution) {
      throw new Error(`FakeUnifiedModel: x is [${x.shape}] at resolution ${call.resolution}`);
    }
    if (this.record) {
      this.calls.push({
        resolution: call.resolution,
        shape: [...x.shape],
        sigma,
        x: x.dataSync() as Float32Array,
        condition: call.condition ? (call.condition.dataSync() as Float32Array) : null,
        sigmaAug: call.sigmaAug as number | undefined,
        classLabels: call.classLabels ? Array.from(call.classLabels.dataSync()) : null,
      });
    }
    const s2 = this.std ** 2;
    return tf.tidy(() => {
      let mean: tf.Tensor = call.condition ?? tf.zerosLike(x);
      if (call.classLabels) {
        const labels = call.classLabels;
        const shift = tf.mul(tf.cast(tf.notEqual(labels, this.numClasses), 'float32'), tf.mul(tf.cast(labels, 'float32'), this.classShift));
        mean = tf.add(mean, tf.reshape(shift, [-1, 1, 1, 1]));
      }
      return tf.add(mean, tf.mul(tf.sub(x, mean), s2 / (s2 + sigma * sigma))) as tf.Tensor4D;
    });
  }

  /** A call at r costs r^2 (any consistent unit works). */
  flopsPerCall(resolution: number): number {
    return resolution * resolution;
  }
}

/**
 * A fake model that behaves like a small network: a fixed random 3x3 conv over [x, condition]
 * with EDM-like preconditioning. Its batched kernels are what the batch-independence test needs.
 */
export class ConvFakeModel implements UnifiedDenoiser {
  readonly sigmaData = 0.5;
  readonly numClasses = 0;
  private readonly kernel: tf.Tensor4D;

  constructor(
    readonly resolutions: readonly number[] = [8, 16, 32],
    readonly channels = 2,
  ) {
    this.kernel = new Rng(123).normalTensor([3, 3, 2 * channels, channels], 0, 0.2) as tf.Tensor4D;
  }

  denoise(x: tf.Tensor4D, sigma: number | Float32Array, call: StageCall): tf.Tensor4D {
    const s = sigma as number;
    const sd2 = this.sigmaData ** 2;
    return tf.tidy(() => {
      const input = tf.concat([tf.mul(x, 1 / Math.sqrt(s * s + sd2)), call.condition ?? tf.zerosLike(x)], 3);
      const f = tf.tanh(tf.conv2d(input as tf.Tensor4D, this.kernel, 1, 'same'));
      return tf.add(tf.mul(x, sd2 / (s * s + sd2)), tf.mul(f, (s * this.sigmaData) / Math.sqrt(s * s + sd2))) as tf.Tensor4D;
    });
  }

  flopsPerCall(resolution: number): number {
    return 2 * resolution * resolution * 9 * 2 * this.channels * this.channels;
  }

  dispose(): void {
    this.kernel.dispose();
  }
}

/** Resolves on a later turn of the event loop, as a session answering from another thread would. */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * A denoiser answering with a promise, the way an ONNX Runtime session does: it copies its input
 * synchronously (an allocation that must survive the await), answers on a later turn, and disposes
 * what it allocated itself.
 */
export function asyncDenoiser(denoiser: Denoiser): Denoiser {
  return async (x, sigma) => {
    const input = x.clone();
    try {
      await nextTurn();
      return await denoiser(input, sigma);
    } finally {
      input.dispose();
    }
  };
}

/** A model whose `denoise` answers with a promise (see {@link asyncDenoiser}). */
export function asyncModel(model: UnifiedDenoiser): SamplingDenoiser {
  return {
    resolutions: model.resolutions,
    channels: model.channels,
    numClasses: model.numClasses,
    sigmaData: model.sigmaData,
    flopsPerCall: (r) => model.flopsPerCall(r),
    denoise: (x, sigma, call) => asyncDenoiser((xs, s) => model.denoise(xs, s, call))(x, sigma as number),
  };
}
