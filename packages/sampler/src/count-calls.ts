import { scopedCall, type Denoiser } from './denoiser';

/** A denoiser wrapped to count how often, and on how many images, it ran. */
export interface CallCounter {
  /** The wrapped denoiser: pass this to solvers. */
  readonly denoiser: Denoiser;
  /** Invocations so far. */
  readonly calls: number;
  /** Images evaluated so far (the sum of the batch sizes of every invocation). */
  readonly images: number;
  /**
   * Network evaluations per image for a batch of `batchSize` images: images / batchSize. A call
   * of doubled batch (batched guidance) counts 2, which is what it costs in FLOPs.
   */
  nfePerImage(batchSize: number): number;
  reset(): void;
}

/**
 * Wraps a denoiser (typically the network, below any guidance wrapper) to count its calls. The
 * wrapped denoiser answers with a promise, whether `denoiser` is synchronous or not.
 *
 * @example
 * ```ts
 * const c = countCalls(cond), u = countCalls(uncond);
 * await sampleHeun(withGuidance(c.denoiser, u.denoiser, { scale: 2 }), x, sigmas);
 * c.calls + u.calls; // network calls: 2 (2N - 1)
 * ```
 */
export function countCalls(denoiser: Denoiser): CallCounter {
  let calls = 0;
  let images = 0;
  return {
    denoiser: async (x, sigma) => {
      calls++;
      images += x.shape[0];
      return scopedCall(denoiser, x, sigma);
    },
    get calls() {
      return calls;
    },
    get images() {
      return images;
    },
    nfePerImage: (batchSize) => images / batchSize,
    reset() {
      calls = 0;
      images = 0;
    },
  };
}
