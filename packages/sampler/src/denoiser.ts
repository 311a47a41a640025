import * as tf from '@tensorflow/tfjs';
import { SamplerError } from './sampler-error';

/**
 * An EDM denoiser D(x; sigma): the estimate of the clean image given `x` = clean + sigma * noise.
 * It returns a new tensor of x's shape, now or as a promise (e.g. an ONNX Runtime session), and
 * must not dispose `x`. A synchronous denoiser's other allocations are disposed for it; an
 * asynchronous one must dispose its own (tf.tidy cannot span an await).
 */
export type Denoiser = (x: tf.Tensor4D, sigma: number) => tf.Tensor4D | Promise<tf.Tensor4D>;

/** A source of standard-normal noise of a given shape (e.g. from `Rng`); the caller owns the result. */
export type NoiseSource = (shape: number[]) => tf.Tensor;

/**
 * What a solver reports after each step. The tensors belong to the solver and are disposed right
 * after the callback returns: read them (or `clone()` them) inside the callback.
 */
export interface StepInfo {
  /** Step index, 0..N-1. */
  i: number;
  /** Noise level at the start of the step (after churn, for the churn sampler). */
  sigma: number;
  /** Noise level the step moves to. */
  sigmaNext: number;
  /** The current sample at `sigma`. */
  x: tf.Tensor4D;
  /** The denoiser's estimate D(x; sigma). */
  denoised: tf.Tensor4D;
}

/** Per-step callback, for progress and previews (not awaited). */
export type StepCallback = (info: StepInfo) => void;

/** Options every solver takes. */
export interface SolverOptions {
  callback?: StepCallback;
}

/** A solver's result: the final sample (a new tensor) and the number of denoiser calls made. */
export interface SolverResult {
  x: tf.Tensor4D;
  /** Calls of the `denoiser` argument (a guided denoiser may make two network calls per call). */
  nfe: number;
}

/**
 * Calls a denoiser the way tf.tidy would where it can: a synchronous call runs in a scope that
 * disposes whatever it allocates besides its result. A call that answers with a promise keeps its
 * synchronous allocations (its continuation may still need them) and disposes its own.
 */
export function scopedCall<A>(denoiser: (x: tf.Tensor4D, a: A) => tf.Tensor4D | Promise<tf.Tensor4D>, x: tf.Tensor4D, a: A): Promise<tf.Tensor4D> {
  const engine = tf.engine();
  engine.startScope();
  let out: tf.Tensor4D | Promise<tf.Tensor4D> | undefined;
  try {
    out = denoiser(x, a);
  } finally {
    // Nothing runs between startScope and endScope but the synchronous call, so the scope holds
    // exactly its allocations: keep the result (or, for a promise, all of them), dispose the rest.
    // (A promise is told by its `then`: a tensor of another tfjs copy fails instanceof.)
    const isPromise = typeof (out as Promise<tf.Tensor4D> | undefined)?.then === 'function';
    engine.endScope(out === undefined ? undefined : isPromise ? [...engine.state.activeScope.track] : (out as tf.Tensor4D));
  }
  return Promise.resolve(out);
}

// The denoiser is user code: the scope keeps whatever it allocates besides its result from leaking,
// and the shape check turns a wrong-shaped result into a message instead of a broadcast surprise.
export async function callDenoiser(denoiser: Denoiser, x: tf.Tensor4D, sigma: number, who: string): Promise<tf.Tensor4D> {
  const out = await scopedCall(denoiser, x, sigma);
  if (!sameShape(out.shape, x.shape)) {
    const shape = out.shape;
    out.dispose();
    throw new SamplerError(`${who}: the denoiser returned shape [${shape}] for input [${x.shape}] at sigma ${sigma}`);
  }
  return out;
}

/**
 * Validates a solver's sigma list: at least two entries, finite, strictly decreasing, all > 0
 * except the last, which may be 0.
 */
export function checkSigmas(sigmas: readonly number[], who: string): void {
  if (!Array.isArray(sigmas) || sigmas.length < 2) {
    throw new SamplerError(`${who}: sigmas must list at least 2 noise levels (N + 1 for N steps), got ${JSON.stringify(sigmas)}`);
  }
  sigmas.forEach((s, i) => {
    if (typeof s !== 'number' || !Number.isFinite(s) || s < 0) {
      throw new SamplerError(`${who}: sigmas[${i}] = ${s} is not a finite number >= 0`);
    }
    if (i > 0 && !(s < sigmas[i - 1])) {
      throw new SamplerError(`${who}: sigmas must be strictly decreasing, but sigmas[${i}] = ${s} >= sigmas[${i - 1}] = ${sigmas[i - 1]}`);
    }
  });
  if (sigmas[sigmas.length - 2] === 0) throw new SamplerError(`${who}: only the last sigma may be 0`);
}

export function checkImages(x: tf.Tensor, who: string): void {
  if (!(x instanceof tf.Tensor) || x.rank !== 4) {
    throw new SamplerError(`${who}: x must be a 4-D NHWC tensor, got ${x instanceof tf.Tensor ? `rank ${x.rank}` : typeof x}`);
  }
  if (x.isDisposed) throw new SamplerError(`${who}: x is disposed`);
}

/**
 * Moves a solver loop to its next state: disposes the previous state unless it is the caller's
 * input, which solvers never dispose.
 */
export function advance(previous: tf.Tensor4D, next: tf.Tensor4D, input: tf.Tensor4D): tf.Tensor4D {
  if (previous !== input) previous.dispose();
  return next;
}

/**
 * The exact update of the probability-flow ODE when D is held constant over the step (Euler in
 * sigma, which for EDM's x = x0 + sigma n is also DDIM): x' = x + (s' - s) (x - D) / s, written as
 * (s'/s) x + (1 - s'/s) D so that s' = 0 returns D exactly.
 */
export function eulerUpdate(x: tf.Tensor4D, denoised: tf.Tensor4D, sigma: number, sigmaNext: number): tf.Tensor4D {
  const ratio = sigmaNext / sigma;
  return tf.tidy(() => tf.add(tf.mul(x, ratio), tf.mul(denoised, 1 - ratio)));
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
