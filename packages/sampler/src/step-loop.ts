import type * as tf from '@tensorflow/tfjs';
import { advance, callDenoiser, checkImages, checkSigmas, type Denoiser, type SolverResult, type StepCallback } from './denoiser';

/** What a solver's update rule sees at step i. */
export interface Step {
  i: number;
  /** The level the step starts at (after a `lift`) and the one it goes to. */
  sigma: number;
  sigmaNext: number;
  /** The level of the step before (`levels[i - 1]`), for multistep rules. */
  sigmaPrevious: number | undefined;
  x: tf.Tensor4D;
  /** D at (x, sigma); owned by the loop. */
  denoised: tf.Tensor4D;
  /** The previous step's D, for multistep rules; null at the first step. Owned by the loop. */
  previous: tf.Tensor4D | null;
  /** A further evaluation of D, counted in nfe; the caller disposes the result. */
  call(x: tf.Tensor4D, sigma: number): Promise<tf.Tensor4D>;
}

/** A solver is its update rule, plus what it changes of the loop. */
export interface SolverRule {
  /** The next sample, a new tensor. */
  update(step: Step): tf.Tensor4D | Promise<tf.Tensor4D>;
  /** Moves the sample to a higher level before the step's evaluation (EDM's churn), or returns null. */
  lift?(x: tf.Tensor4D, i: number, sigma: number): { x: tf.Tensor4D; sigma: number } | null;
  /** D at a level, when levels are not EDM sigmas (flow times); default: the denoiser. */
  evaluate?(x: tf.Tensor4D, level: number): Promise<tf.Tensor4D>;
  /** Checks the level list; default: strictly decreasing sigmas (`checkSigmas`). */
  checkLevels?(levels: readonly number[]): void;
}

/**
 * The loop every solver shares (k-diffusion's shape): per step, evaluate D, report, apply the
 * rule. The input `x` is never disposed; every intermediate is, also when D, a callback or the
 * rule throws. Returns the sample at the last level and the number of evaluations.
 */
export async function runSteps(who: string, denoiser: Denoiser | null, x: tf.Tensor4D, levels: readonly number[], callback: StepCallback | undefined, rule: SolverRule): Promise<SolverResult> {
  checkImages(x, who);
  (rule.checkLevels ?? ((l) => checkSigmas(l, who)))(levels);
  let nfe = 0;
  const evaluate = rule.evaluate ?? ((at: tf.Tensor4D, sigma: number) => callDenoiser(denoiser!, at, sigma, who));
  const call = (at: tf.Tensor4D, sigma: number) => {
    nfe++;
    return evaluate(at, sigma);
  };
  let current = x;
  let previous: tf.Tensor4D | null = null;
  try {
    for (let i = 0; i < levels.length - 1; i++) {
      let sigma = levels[i];
      const sigmaNext = levels[i + 1];
      const lifted = rule.lift?.(current, i, sigma);
      if (lifted) {
        current = advance(current, lifted.x, x);
        sigma = lifted.sigma;
      }
      const denoised = await call(current, sigma);
      try {
        callback?.({ i, sigma, sigmaNext, x: current, denoised });
        current = advance(current, await rule.update({ i, sigma, sigmaNext, sigmaPrevious: levels[i - 1], x: current, denoised, previous, call }), x);
      } catch (error) {
        denoised.dispose();
        throw error;
      }
      previous?.dispose();
      previous = denoised;
    }
  } catch (error) {
    if (current !== x) current.dispose();
    throw error;
  } finally {
    previous?.dispose();
  }
  return { x: current, nfe };
}
